"""Updates emailed to supporters: one send per update, and who unsubscribed from what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from actionapp.columns import utcnow
from actionapp.extensions import db


class UpdateSend(db.Model):
    """An update emailed to the action's supporters: at most once (a double post adds nothing)."""

    __tablename__ = "update_sends"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(
        ForeignKey("action_updates.id", ondelete="CASCADE"), unique=True
    )
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    # How many messages were queued (one per address).
    recipients: Mapped[int] = mapped_column(default=0)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)


class Unsubscription(db.Model):
    """An address (by its sender key, a hash) that wants no more updates: one action or all."""

    __tablename__ = "unsubscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # services.letters.sender_key of the address: the address itself is not kept here.
    address_key: Mapped[str] = mapped_column(String(64))
    # "all", or "action:<id>": one row per address and scope.
    scope: Mapped[str] = mapped_column(String(32))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    # The update whose email carried the link (the organiser's figures count per update).
    update_id: Mapped[int | None] = mapped_column(
        ForeignKey("action_updates.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("address_key", "scope"),
        Index("ix_unsubscriptions_update", "update_id"),
    )
