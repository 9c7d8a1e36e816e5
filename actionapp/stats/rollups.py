"""Folding the rollups of past days into one slot each, so statistics read fewer rows.

PostgreSQL writers spread each rollup over up to 8 slots to avoid waiting on one another
(services.counts). Once a day is over, few writers touch its rows again, so the slots can be
summed into slot 0: the same totals, up to 8 times fewer rows for the statistics page. Both
the letter rollups and the personal rollups (the share of personalised letters) are folded.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import and_, bindparam, delete, select, union

from actionapp.database import insert_with_conflicts
from actionapp.extensions import db
from actionapp.models import LetterRollup, PersonalRollup

KEY_COLUMNS = ("hour", "channel", "status", "target_id", "country", "language")
# Each rollup table with the columns that key a row within one action and day (slot aside).
ROLLUPS = ((LetterRollup, KEY_COLUMNS), (PersonalRollup, ("channel", "status", "personal")))


def days_to_compact(before: date) -> list[tuple[int, date]]:
    """Return the (action, day) pairs before a day that still have rows in other slots."""
    rows = db.session.execute(
        union(
            *(
                select(model.action_id, model.day).where(model.slot != 0, model.day < before)
                for model, _ in ROLLUPS
            )
        ).order_by("action_id", "day")
    )
    return [(action_id, day) for action_id, day in rows]


def compact_day(action_id: int, day: date) -> int:
    """Sum one action's rollups of one day into slot 0; return how many rows were removed.

    Rows are locked in key order, the order writers lock them in, so this never deadlocks
    with a writer; only rows read here are deleted, so a concurrent write is never lost.
    """
    return sum(_compact(model, keys, action_id, day) for model, keys in ROLLUPS)


def _compact(model, key_columns: tuple[str, ...], action_id: int, day: date) -> int:
    table = model.__table__
    columns = [getattr(model, name) for name in key_columns]
    rows = db.session.execute(
        select(*columns, model.slot, model.count)
        .where(model.action_id == action_id, model.day == day)
        .order_by(*columns, model.slot)
        .with_for_update()
    ).all()
    if all(row.slot == 0 for row in rows):
        return 0
    totals: dict[tuple, int] = defaultdict(int)
    for row in rows:
        totals[tuple(getattr(row, name) for name in key_columns)] += row.count
    db.session.execute(
        delete(table).where(
            and_(
                table.c.action_id == action_id,
                table.c.day == day,
                table.c.slot == bindparam("b_slot"),
                *(table.c[name] == bindparam(f"b_{name}") for name in key_columns),
            )
        ),
        [
            {"b_slot": row.slot, **{f"b_{name}": getattr(row, name) for name in key_columns}}
            for row in rows
        ],
    )
    insert = insert_with_conflicts()
    stmt = insert(model)
    stmt = stmt.on_conflict_do_update(
        index_elements=["action_id", "day", *key_columns, "slot"],
        set_={"count": model.count + stmt.excluded.count},
    )
    db.session.execute(
        stmt,
        [
            {"action_id": action_id, "day": day, "slot": 0, "count": total,
             **dict(zip(key_columns, key, strict=True))}
            for key, total in sorted(totals.items())
        ],
    )  # fmt: skip
    return len(rows) - len(totals)
