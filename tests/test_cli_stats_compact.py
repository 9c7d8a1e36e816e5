"""`flask stats compact` folds past days' rollup slots together and changes no figure."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from sqlalchemy import func, insert, select

from actionapp.extensions import db
from actionapp.models import Channel, LetterRollup, utcnow
from actionapp.stats.counts import RollupKey
from actionapp.stats.statistics import action_statistics, default_range
from tests.fixtures_organise import add_letters


def test_compaction_keeps_every_figure_and_leaves_recent_days(runner, action):
    now = utcnow()
    add_letters(action, Channel.PRINT, "GB", "p-today", now)
    old = now - timedelta(days=3)
    target = action.targets[0]
    rows = []
    for slot in range(8):  # as PostgreSQL writers leave them: one key spread over slots
        for status, country in (("printed", "GB"), ("posted", "FR")):
            key = RollupKey(old.date(), 14, "print", status, target.id, country, "zh")
            rows.append({"action_id": action.id, "slot": slot, "count": slot + 1,
                         **asdict(key)})  # fmt: skip
    today_key = RollupKey(now.date(), now.hour, "print", "printed", target.id, "US", "zh")
    rows.append({"action_id": action.id, "slot": 5, "count": 7, **asdict(today_key)})
    db.session.execute(insert(LetterRollup), rows)
    db.session.commit()
    today_before = _rows_of_day(now.date())
    before = action_statistics(action, default_range(action, now.date()))
    result = runner.invoke(args=["stats", "compact"])
    assert result.exit_code == 0, result.output
    assert "Compacted 1 action day(s); 14 rollup row(s) fewer." in result.output
    db.session.expire_all()
    after = action_statistics(action, default_range(action, now.date()))
    assert after == before
    old_slots = db.session.scalars(
        select(func.max(LetterRollup.slot)).where(LetterRollup.day == old.date())
    ).all()
    assert old_slots == [0]  # folded into slot 0
    # Today is left alone, rows and slots as they were (PostgreSQL writers pick random slots).
    assert _rows_of_day(now.date()) == today_before
    again = runner.invoke(args=["stats", "compact"])
    assert "Compacted 0 action day(s)" in again.output


def _rows_of_day(day) -> list:
    return sorted(
        db.session.execute(
            select(
                LetterRollup.hour,
                LetterRollup.status,
                LetterRollup.country,
                LetterRollup.slot,
                LetterRollup.count,
            ).where(LetterRollup.day == day)
        ).all()
    )
