"""Did an official reply? One report per supporter (submission), asked by email or given freely."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from actionapp.columns import enum_type
from actionapp.extensions import db


class ReplyAnswer(StrEnum):
    """What a supporter reported about the officials they wrote to."""

    NO = "no"  # no official replied
    POST = "post"  # a reply came by post
    EMAIL = "email"  # a reply came by email


class ReplyReport(db.Model):
    """The question sent to one submission's supporter, and their answer (either may be absent)."""

    __tablename__ = "reply_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), unique=True
    )
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    # When the question was queued (None: the supporter reported from the thank-you page).
    asked_at: Mapped[datetime | None]
    answer: Mapped[ReplyAnswer | None] = mapped_column(enum_type(ReplyAnswer, 10))
    # The supporter's words about the reply: plain text, shown to organisers only.
    note: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_reply_reports_action", "action_id", "answer"),)
