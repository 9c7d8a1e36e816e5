"""The outbox: every email the app sends, written in the same transaction as what caused it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from actionapp.columns import enum_type, utcnow
from actionapp.extensions import db
from actionapp.letters.models import Letter, Submission


class MessageKind(StrEnum):
    """What an outgoing email is."""

    CONFIRMATION = "confirmation"  # to the supporter: confirm your address before we send
    LETTER = "letter"  # a supporter's letter to one target
    COPY = "copy"  # to the supporter: a copy of what was delivered
    UPDATE = "update"  # to the supporter: news on the action (services.updates_mail)
    REPLY_QUESTION = "reply_question"  # to the supporter: did an official reply? (replies)


class MessageStatus(StrEnum):
    """Where an outgoing email stands."""

    QUEUED = "queued"  # waiting for its next attempt
    SENDING = "sending"  # leased by a worker
    SENT = "sent"  # the SMTP server accepted it
    FAILED = "failed"  # refused for good (5xx) or too many temporary failures


class OutboxMessage(db.Model):
    """One email to one recipient, fixed when queued: the worker only delivers it."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MessageKind] = mapped_column(enum_type(MessageKind, 20))
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE")
    )
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"))
    # Makes queuing idempotent: "letter:<id>", "confirm:<submission id>", "copy:<submission id>"
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    # The envelope: taken from the database when queued, never parsed back from headers.
    sender: Mapped[str] = mapped_column(String(254))
    recipient: Mapped[str] = mapped_column(String(254))
    # Fixed when queued, so that a re-send after a crash carries the same Message-ID.
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    status: Mapped[MessageStatus] = mapped_column(
        enum_type(MessageStatus, 20), default=MessageStatus.QUEUED
    )
    # Answers from the receiving server (a connection that failed is no attempt).
    attempts: Mapped[int] = mapped_column(default=0)
    # The first temporary refusal: the message is retried until the retry window after it.
    first_deferred_at: Mapped[datetime | None]
    # When the message is next due. While a worker holds it, this is also its lease expiry:
    # a crashed worker's message becomes due again then.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(120))
    lease_expires_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    # The receiving server refused it for good (5xx): its address gets no more updates.
    bounced: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    # Messages to many (an update): the text shared by all in one language, and this
    # recipient's own link in it; such a message has no OutboxContent row.
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_templates.id", ondelete="CASCADE")
    )
    link: Mapped[str] = mapped_column(String(500), default="")

    submission: Mapped[Submission | None] = relationship()
    letter: Mapped[Letter | None] = relationship()
    content: Mapped[OutboxContent | None] = relationship(cascade="all, delete-orphan")
    template: Mapped[OutboxTemplate | None] = relationship()

    __table_args__ = (
        Index("ix_outbox_messages_status_due", "status", "next_attempt_at"),
        Index("ix_outbox_messages_submission", "submission_id", "kind"),
        # Delivery figures per action on the statistics page (services.stats).
        Index("ix_outbox_messages_action_kind_status", "action_id", "kind", "status"),
    )


class OutboxContent(db.Model):
    """What an outgoing email says, fixed when queued.

    Kept apart from the delivery state: claiming and recording rewrite that small row
    several times, and SQLite rewrites a whole row, large text included, on every update.
    """

    __tablename__ = "outbox_contents"

    id: Mapped[int] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="CASCADE"), primary_key=True
    )
    # [[name, value], ...]: From, To, Reply-To, Subject and the like, checked when queued.
    headers: Mapped[list[list[str]]] = mapped_column(JSON)
    body_text: Mapped[str] = mapped_column(Text)
    # The message as it leaves but for its Date (and DKIM signature, added when sending):
    # built once when queued, so every attempt sends the very same bytes.
    mime: Mapped[str] = mapped_column(Text)


class OutboxTemplate(db.Model):
    """One message to many, in one language: built once; each recipient's parts filled in.

    The worker fills in the recipient's address, Message-ID and own link (services.outbox
    .expand_template) and builds the MIME, with a boundary taken from the Message-ID, so every
    attempt sends the very same bytes. Queuing 100,000 then writes small rows only.
    """

    __tablename__ = "outbox_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    # [[name, value], ...], checked when made; "To" and the link stand as markers.
    headers: Mapped[list[list[str]]] = mapped_column(JSON)
    body_text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(12), default="")
    link_prefix: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MailSlot(db.Model):
    """The last send slot handed out for one recipient address (throttling, spread evenly)."""

    __tablename__ = "mail_slots"

    recipient: Mapped[str] = mapped_column(String(254), primary_key=True)
    # Seconds since the epoch (UTC): plain integers add up the same way in SQLite and PostgreSQL.
    last_slot: Mapped[int] = mapped_column(BigInteger)
