"""Letters written on paper at letter-writing events, reported by the host."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from actionapp.campaigns.models import Action, Target
from actionapp.columns import enum_type, utcnow
from actionapp.extensions import db


class EventReportStatus(StrEnum):
    """Where a host's report stands: only approved reports count publicly."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class EventReport(db.Model):
    """A host's report: how many letters were written, to whom, when and where."""

    __tablename__ = "event_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    status: Mapped[EventReportStatus] = mapped_column(
        enum_type(EventReportStatus, 20), default=EventReportStatus.PENDING
    )
    held_on: Mapped[date]
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2), default="")
    host_name: Mapped[str] = mapped_column(String(120))
    # An email address or a phone number: how the organisers reach the host to check.
    host_contact: Mapped[str] = mapped_column(String(254))
    note: Mapped[str] = mapped_column(Text, default="")
    letters_total: Mapped[int] = mapped_column(default=0)
    # Solidarity cards written at the event: counted apart from letters, never as letters.
    cards: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_at: Mapped[datetime | None]
    personal_data_removed_at: Mapped[datetime | None]

    action: Mapped[Action] = relationship()
    lines: Mapped[list[EventReportLine]] = relationship(
        back_populates="report", order_by="EventReportLine.id", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_event_reports_action_status", "action_id", "status", "created_at"),)


class EventReportLine(db.Model):
    """How many of a report's letters went to one target."""

    __tablename__ = "event_report_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("event_reports.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"))
    letters: Mapped[int]

    report: Mapped[EventReport] = relationship(back_populates="lines")
    target: Mapped[Target] = relationship()

    __table_args__ = (UniqueConstraint("report_id", "target_id"),)
