"""Exact participation counters, kept in the same transaction as the letters they count."""

from sqlalchemy import BigInteger, ForeignKey, String
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
