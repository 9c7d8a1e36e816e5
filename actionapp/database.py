"""Engine set-up per database: SQLite in WAL mode with immediate write transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from actionapp.extensions import db

_begin_immediate: ContextVar[bool] = ContextVar("begin_immediate", default=False)


def is_sqlite(engine: Engine | None = None) -> bool:
    """Tell whether the app's database (or a given engine) is SQLite."""
    return (engine or db.engine).dialect.name == "sqlite"


def configure_engines(app: Flask) -> None:
    """Attach the SQLite pragmas and transaction handling to the app's engines."""
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                _configure_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event, not pysqlite, decide how a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        # A deferred BEGIN that later writes can fail with "database is locked" under
        # concurrent writers; IMMEDIATE takes the write lock up front and waits its turn.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _begin_immediate.get() else "BEGIN")


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run the block in a transaction that takes the write lock first (SQLite) and commit it.

    Use it for writes that read first. Elsewhere the database's row locks do the job.
    """
    session = db.session()  # the request's Session behind the scoped proxy
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("write_transaction() needs a session without pending changes")
        # Reads done so far ran in a deferred transaction; end it so the next one is immediate.
        session.rollback()
    token = _begin_immediate.set(True)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _begin_immediate.reset(token)
