"""Exact participation counters, kept in the same transaction as the letters they count."""

from datetime import date

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from actionapp.extensions import db


class CounterSlot(db.Model):
    """One slot of one counter; a counter's value is the sum of its slots.

    Concurrent writers pick different slots, so they rarely wait on the same row.
    """

    __tablename__ = "counter_slots"

    action_id: Mapped[int] = mapped_column(
        ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True
    )
    metric: Mapped[str] = mapped_column(String(120), primary_key=True)
    slot: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class LetterRollup(db.Model):
    """Letters counted per creation hour, channel, status, target, country and language.

    Kept exact in the same transaction as the letters, so organiser statistics over any date
    range are sums over a few thousand rows instead of scans of millions of letters.
    """

    __tablename__ = "letter_rollups"

    action_id: Mapped[int] = mapped_column(
        ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    status: Mapped[str] = mapped_column(String(30), primary_key=True)
    target_id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    language: Mapped[str] = mapped_column(String(12), primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        # Covering indexes for the statistics page's two aggregates (services.stats): rows come
        # out in GROUP BY order and the table itself is never read.
        Index(
            "ix_letter_rollups_dimensions",
            "action_id", "channel", "status", "target_id", "country", "language", "day", "count",
        ),
        Index("ix_letter_rollups_times", "action_id", "day", "hour", "channel", "status", "count"),
    )  # fmt: skip


class PersonalRollup(db.Model):
    """Measured letters per creation day, channel, status and personalised or not.

    Only letters whose submission recorded its share of own words (submissions.own_share);
    kept in the same transaction as the letters, like the letter rollups, so the statistics
    page's share of personalised letters sums a few rows per day instead of reading letters.
    """

    __tablename__ = "personal_rollups"

    action_id: Mapped[int] = mapped_column(
        ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    status: Mapped[str] = mapped_column(String(30), primary_key=True)
    personal: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
