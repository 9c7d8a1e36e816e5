"""What a public action page depends on, read in one small query on every view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.engine import Engine

from actionapp.models import Action, ActionStatus, CounterSlot
from actionapp.stats.counts import SUPPORTERS, letter_metric
from actionapp.stats.vocabulary import COUNTED_STATUSES


@dataclass(frozen=True)
class ActionPageVersion:
    """An action's id, version and public counts: a cached page is current while they hold."""

    id: int
    # As the driver returns them (text on SQLite): only ever compared, never computed with.
    updated_at: Any
    status: str
    supporters: int
    letters: int


def _statement():
    counted = [
        letter_metric(channel, status)
        for channel, statuses in sorted(COUNTED_STATUSES.items())
        for status in sorted(statuses)
    ]

    def total(metric_filter):
        return (
            select(func.coalesce(func.sum(CounterSlot.value), 0))
            .where(CounterSlot.action_id == Action.id, metric_filter)
            .scalar_subquery()
        )

    # Plain strings, not enums: the driver gets these values without SQLAlchemy's processing.
    return select(
        Action.id,
        Action.updated_at,
        Action.status,
        total(CounterSlot.metric == SUPPORTERS),
        total(or_(*(CounterSlot.metric == metric for metric in counted))),
    ).where(Action.slug == bindparam("slug"), Action.status != ActionStatus.DRAFT.value)


class ActionPageVersions:
    """Reads ActionPageVersion rows for one engine, on a pooled connection of its driver.

    The page cache asks on every view of an action page, before Flask handles the request.
    SQLAlchemy's connection and result layers cost several times the query itself there, so
    the statement is compiled once for the driver and run on the driver's own cursor.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        compiled = _statement().compile(dialect=engine.dialect)
        self._sql = compiled.string
        self._constants = compiled.construct_params({"slug": ""})
        if not all(type(value) in (str, int) for value in self._constants.values()):
            raise TypeError("the page version statement takes plain strings and numbers only")
        self._positions = compiled.positiontup  # None for named parameter styles
        # PostgreSQL: read in autocommit, one round trip instead of BEGIN, SELECT, ROLLBACK.
        # (SQLite connections here already run statements outside transactions.)
        self._autocommit = engine.dialect.name == "postgresql"

    def _parameters(self, slug: str) -> dict | tuple:
        values = {**self._constants, "slug": slug}
        if self._positions is None:
            return values
        return tuple(values[name] for name in self._positions)

    def get(self, slug: str) -> ActionPageVersion | None:
        """Return the published action's page version, or None if there is no such action."""
        connection = self._engine.raw_connection()
        driver = connection.driver_connection
        try:
            if self._autocommit:
                driver.autocommit = True
            cursor = connection.cursor()
            cursor.execute(self._sql, self._parameters(slug))
            row = cursor.fetchone()
            cursor.close()
        finally:
            if self._autocommit:
                driver.autocommit = False
            connection.close()  # back to the pool
        if row is None:
            return None
        return ActionPageVersion(row[0], row[1], str(row[2]), int(row[3]), int(row[4]))
