"""Solidarity messages: short cards of support to the person at risk or their family."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from actionapp.campaigns.models import Action
from actionapp.columns import enum_type, utcnow
from actionapp.extensions import db
from actionapp.letters.models import Submission


class Recipient(StrEnum):
    """Whom the messages of an action go to."""

    PERSON = "person"
    FAMILY = "family"


class Delivery(StrEnum):
    """How messages reach them: printed by the organisation, or a card the supporter posts."""

    PRINTED = "printed"
    CARD = "card"


class SignAs(StrEnum):
    """How a supporter signs their message (never their email or address)."""

    FIRST_NAME_COUNTRY = "first_name_country"
    FIRST_NAME = "first_name"
    ANONYMOUS = "anonymous"


class SolidarityStatus(StrEnum):
    """Where a message stands: only approved messages are printed or shown."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class SolidaritySettings(db.Model):
    """An action's solidarity settings: open or not, to whom, how, and the safety rules."""

    __tablename__ = "solidarity_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("actions.id", ondelete="CASCADE"), unique=True
    )
    is_open: Mapped[bool] = mapped_column(default=False)
    recipient: Mapped[Recipient] = mapped_column(enum_type(Recipient, 20), default=Recipient.PERSON)
    # The names cards are addressed to ("Huang Xueqin", "the family of Wang Jianbing").
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    delivery: Mapped[Delivery] = mapped_column(enum_type(Delivery, 20), default=Delivery.PRINTED)
    # Where supporters post their own cards (delivery "card").
    postal_address: Mapped[str] = mapped_column(Text, default="")
    max_chars: Mapped[int] = mapped_column(default=400)
    no_organisation: Mapped[bool] = mapped_column(default=True)
    no_surnames: Mapped[bool] = mapped_column(default=True)
    no_places: Mapped[bool] = mapped_column(default=True)
    # Words a message must not carry: surnames and places the organisers know are risky.
    avoid_words: Mapped[list[str]] = mapped_column(JSON, default=list)
    show_on_page: Mapped[bool] = mapped_column(default=False)

    action: Mapped[Action] = relationship(
        backref=db.backref("solidarity", uselist=False, lazy="selectin", cascade="all")
    )


class SolidarityMessage(db.Model):
    """One supporter's message; its text and signature are personal data until purged."""

    __tablename__ = "solidarity_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    # Written after an appeal: that submission; written on its own: none.
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="SET NULL")
    )
    # Made when the form is first shown: a double click or a reload records it once.
    client_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[SolidarityStatus] = mapped_column(
        enum_type(SolidarityStatus, 20), default=SolidarityStatus.PENDING
    )
    language: Mapped[str] = mapped_column(String(12))
    body: Mapped[str] = mapped_column(Text)
    sign_as: Mapped[SignAs] = mapped_column(enum_type(SignAs, 30))
    # The signature as it prints, made from the name and country when written.
    signature: Mapped[str] = mapped_column(String(200), default="")
    # Shown on the action page beside an approved message: first name only.
    first_name: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    # For subject access and erasure; never printed or shown.
    email: Mapped[str | None] = mapped_column(String(254))
    reject_reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_at: Mapped[datetime | None]
    personal_data_removed_at: Mapped[datetime | None]

    action: Mapped[Action] = relationship()
    submission: Mapped[Submission | None] = relationship()

    __table_args__ = (
        UniqueConstraint("action_id", "client_key"),
        Index("ix_solidarity_messages_action_status", "action_id", "status", "created_at"),
        Index("ix_solidarity_messages_email", "email"),
    )
