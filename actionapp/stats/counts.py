"""Exact participation counts: counters moved in the same transaction as the letters."""

from __future__ import annotations

import random
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import bindparam, func, select

from actionapp.database import insert_with_conflicts
from actionapp.extensions import db
from actionapp.letters.coaching import is_personalised
from actionapp.models import CounterSlot, LetterRollup, PersonalRollup
from actionapp.stats.vocabulary import COUNTED_STATUSES

SUPPORTERS = "supporters"
# Concurrent PostgreSQL writers spread over this many rows per counter; SQLite writes one at a time.
POSTGRES_SLOTS = 8


# Channels whose letters have a day but no hour (events report the day they were held): their
# rollups carry hour 0, and "by hour of day" leaves them out.
CHANNELS_WITHOUT_HOUR = frozenset({"event"})


def letter_metric(channel: str, status: str) -> str:
    """Name the counter of letters in one channel and status."""
    return f"letters:{channel}:{status}"


def is_counted(channel: str, status: str) -> bool:
    """Tell whether letters in this channel and status count publicly."""
    return status in COUNTED_STATUSES.get(channel, frozenset())


@lru_cache(maxsize=4)
def _counter_upsert(dialect: str):
    insert = insert_with_conflicts(dialect)
    stmt = insert(CounterSlot)
    return stmt.on_conflict_do_update(
        index_elements=["action_id", "metric", "slot"],
        set_={"value": CounterSlot.value + stmt.excluded.value},
    )


def _upsert(statement_for, rows_for_slot) -> None:
    """Run an upsert for all rows in one slot, on the session's connection."""
    connection = db.session.connection()
    dialect = connection.dialect.name
    connection.execute(statement_for(dialect), rows_for_slot(writer_slot(dialect)))


def writer_slot(dialect: str) -> int:
    """Pick the slot a writer adds to: any of POSTGRES_SLOTS on PostgreSQL, 0 on SQLite."""
    return 0 if dialect == "sqlite" else random.randrange(POSTGRES_SLOTS)


def bump(action_id: int, deltas: Mapping[str, int]) -> None:
    """Add the deltas to an action's counters (an upsert into one slot each)."""
    changes = sorted((metric, delta) for metric, delta in deltas.items() if delta)
    if changes:
        # Sorted, so that two transactions lock the same rows in the same order: no deadlock.
        _upsert(
            _counter_upsert,
            lambda slot: [
                {"action_id": action_id, "metric": metric, "slot": slot, "value": delta}
                for metric, delta in changes
            ],
        )


@dataclass(frozen=True, order=True)
class RollupKey:
    """The dimensions letters are counted by for organiser statistics."""

    day: date
    hour: int
    channel: str
    status: str
    target_id: int
    country: str
    language: str


def rollup_key(letter, status: str | None = None) -> RollupKey:
    """Return the rollup dimensions of a letter (in its current or a given status)."""
    return RollupKey(
        day=letter.created_at.date(),
        hour=letter.created_at.hour,
        channel=str(letter.channel),
        status=str(status or letter.status),
        target_id=letter.target_id,
        country=letter.supporter_country or "",
        language=letter.language,
    )


@lru_cache(maxsize=4)
def _rollup_upsert(dialect: str):
    insert = insert_with_conflicts(dialect)
    stmt = insert(LetterRollup)
    return stmt.on_conflict_do_update(
        index_elements=[
            "action_id", "day", "hour", "channel", "status", "target_id", "country",
            "language", "slot",
        ],
        set_={"count": LetterRollup.count + stmt.excluded.count},
    )  # fmt: skip


def bump_rollups(action_id: int, deltas: Mapping[RollupKey, int]) -> None:
    """Add the deltas to an action's letter rollups (an upsert into one slot each)."""
    _bump_keyed(_rollup_upsert, action_id, deltas)


def _bump_keyed(statement_for, action_id: int, deltas: Mapping) -> None:
    changes = sorted((key, delta) for key, delta in deltas.items() if delta)
    if changes:
        _upsert(
            statement_for,
            lambda slot: [
                {"action_id": action_id, "slot": slot, "count": delta, **vars(key)}
                for key, delta in changes
            ],
        )


@dataclass(frozen=True, order=True)
class PersonalKey:
    """The dimensions measured letters are counted by for the share of personalised letters."""

    day: date
    channel: str
    status: str
    personal: bool


def personal_key(
    created_at: datetime, channel: str, status: str, own_share: int | None
) -> PersonalKey | None:
    """Return the personal rollup of a letter, or None when its submission was not measured."""
    if own_share is None:
        return None
    return PersonalKey(created_at.date(), str(channel), str(status), is_personalised(own_share))


@lru_cache(maxsize=4)
def _personal_upsert(dialect: str):
    insert = insert_with_conflicts(dialect)
    stmt = insert(PersonalRollup)
    return stmt.on_conflict_do_update(
        index_elements=["action_id", "day", "channel", "status", "personal", "slot"],
        set_={"count": PersonalRollup.count + stmt.excluded.count},
    )


def bump_personal(action_id: int, deltas: Mapping[PersonalKey | None, int]) -> None:
    """Add the deltas to an action's personal rollups (unmeasured letters, key None, skipped)."""
    _bump_keyed(
        _personal_upsert, action_id, {key: d for key, d in deltas.items() if key is not None}
    )


def add_deltas(deltas: dict, changes: Iterable[tuple[Hashable, int]]) -> dict:
    """Accumulate (key, delta) pairs into a dict and return it."""
    for metric, delta in changes:
        deltas[metric] = deltas.get(metric, 0) + delta
    return deltas


@dataclass(frozen=True)
class ActionCounts:
    """What an action's counters say."""

    supporters: int = 0
    letters: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """Return the counts as plain JSON-ready data."""
        return {
            "supporters": self.supporters,
            "letters": self.letters,
            "by_channel": dict(self.by_channel),
            "by_status": {channel: dict(s) for channel, s in self.by_status.items()},
        }


@lru_cache(maxsize=1)
def _counters_query():
    return (
        select(CounterSlot.metric, func.sum(CounterSlot.value))
        .where(CounterSlot.action_id == bindparam("action_id"))
        .group_by(CounterSlot.metric)
    )


def counter_values(action_id: int) -> dict[str, int]:
    """Return every counter of an action, summed over its slots."""
    rows = db.session.connection().execute(_counters_query(), {"action_id": action_id})
    return {metric: int(total or 0) for metric, total in rows}


def action_counts(action_id: int) -> ActionCounts:
    """Return the exact counts of an action from its counters (no scan of letters)."""
    values = counter_values(action_id)
    by_channel = {channel: 0 for channel in COUNTED_STATUSES}
    by_status: dict[str, dict[str, int]] = {}
    for metric, value in values.items():
        if not metric.startswith("letters:"):
            continue
        _, channel, status = metric.split(":", 2)
        by_status.setdefault(channel, {})[status] = value
        if is_counted(channel, status):
            by_channel[channel] = by_channel.get(channel, 0) + value
    return ActionCounts(
        supporters=values.get(SUPPORTERS, 0),
        letters=sum(by_channel.values()),
        by_channel=by_channel,
        by_status=by_status,
    )
