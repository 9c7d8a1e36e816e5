"""A supporter taking an action (a submission) and the letters it sends, one per target."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from actionapp.campaigns.models import Action, Target
from actionapp.columns import enum_type, utcnow
from actionapp.extensions import db


class Channel(StrEnum):
    """How a letter leaves the supporter."""

    EMAIL = "email"
    MAILTO = "mailto"
    PRINT = "print"


class LetterStatus(StrEnum):
    """Where a letter stands; only some statuses count publicly (see services.counts)."""

    AWAITING_CONFIRMATION = "awaiting_confirmation"  # email, before the supporter confirms
    CONFIRMED = "confirmed"  # email, confirmed: handed to the outbox
    # Email, confirmed after another submission from the same address had already reached
    # this target (two tabs): final, never sent, never counted.
    DUPLICATE = "duplicate"
    OPENED = "opened"  # mailto link opened, not yet reported sent
    SENT = "sent"  # mailto, the supporter said they sent it
    TO_PRINT = "to_print"  # print channel chosen, the PDF not downloaded yet
    PRINTED = "printed"  # the PDF was downloaded
    POSTED = "posted"  # the supporter said they posted it


class Submission(db.Model):
    """One supporter taking one action: who they are, what they wrote, and their consent."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    # Unguessable: the thank-you page, the PDF and the confirmation links carry it.
    public_token: Mapped[str] = mapped_column(String(64), unique=True)
    # Made when the composer is first shown: a double click or a reload posts it again.
    client_key: Mapped[str] = mapped_column(String(64))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, 20))
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    street_address: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(12))
    variant: Mapped[str] = mapped_column(String(60))
    edited_body: Mapped[str | None] = mapped_column(Text)
    personal_message: Mapped[str] = mapped_column(Text, default="")
    paper: Mapped[str] = mapped_column(String(12), default="")
    # Percentage of the letter in the supporter's own words, measured when it was recorded
    # (services/coaching.py); None for submissions recorded before the measure existed.
    own_share: Mapped[int | None] = mapped_column(SmallInteger)
    consent_text: Mapped[str] = mapped_column(Text)
    consent_updates: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the first of its letters began to count; the supporter counts from then on.
    counted_at: Mapped[datetime | None]
    personal_data_removed_at: Mapped[datetime | None]
    # Email channel: the confirmation link's token, stored hashed, and how long it is valid.
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    confirm_expires_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]

    action: Mapped[Action] = relationship()
    letters: Mapped[list[Letter]] = relationship(
        back_populates="submission", order_by="Letter.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("action_id", "client_key"),
        Index("ix_submissions_action_created", "action_id", "created_at"),
        # Requests to see or delete one supporter's data look submissions up by email.
        Index("ix_submissions_email", "email"),
    )


class Letter(db.Model):
    """One appeal from one supporter to one target, copies included, as it was written."""

    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, 20))
    status: Mapped[LetterStatus] = mapped_column(enum_type(LetterStatus, 30))
    language: Mapped[str] = mapped_column(String(12))
    subject: Mapped[str] = mapped_column(String(300))
    salutation: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    closing: Mapped[str] = mapped_column(String(200))
    # The rest of the letter as sent, in its language (services.compose.LetterText). NULL in
    # rows recorded before these columns existed (services.letters.letter_as_sent reads both).
    personal_message: Mapped[str | None] = mapped_column(Text)
    signature_name: Mapped[str | None] = mapped_column(String(120))
    signature_place: Mapped[str | None] = mapped_column(String(300))
    date_text: Mapped[str | None] = mapped_column(String(60))
    supporter_country: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Email channel: a hash of the supporter's address. One confirmed letter per address,
    # target and action (the partial unique index below).
    sender_key: Mapped[str | None] = mapped_column(String(64))

    submission: Mapped[Submission] = relationship(back_populates="letters")
    target: Mapped[Target] = relationship()

    __table_args__ = (
        UniqueConstraint("submission_id", "target_id"),
        Index("ix_letters_action_created", "action_id", "created_at"),
        Index("ix_letters_action_status", "action_id", "channel", "status"),
        Index(
            "uq_letters_one_per_sender",
            "action_id",
            "target_id",
            "sender_key",
            unique=True,
            sqlite_where=text("status = 'confirmed' AND sender_key IS NOT NULL"),
            postgresql_where=text("status = 'confirmed' AND sender_key IS NOT NULL"),
        ),
    )
