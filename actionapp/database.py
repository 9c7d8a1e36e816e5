"""Engine set-up per database: SQLite in WAL mode with immediate write transactions."""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar

try:
    import fcntl
except ImportError:  # Windows: SQLite's own busy handler only
    fcntl = None  # type: ignore[assignment]

from flask import Flask
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from actionapp.extensions import db

_begin_immediate: ContextVar[bool] = ContextVar("begin_immediate", default=False)


def is_sqlite(engine: Engine | None = None) -> bool:
    """Tell whether the app's database (or a given engine) is SQLite."""
    return (engine or db.engine).dialect.name == "sqlite"


def insert_with_conflicts(dialect: str | None = None):
    """Return the insert() that knows ON CONFLICT for the app's (or a named) database."""
    name = dialect or db.engine.dialect.name
    return sqlite_insert if name == "sqlite" else pg_insert


def configure_engines(app: Flask) -> None:
    """Attach the SQLite pragmas and transaction handling to the app's engines."""
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                _configure_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
            elif engine.dialect.name == "postgresql":
                _configure_postgres(engine, app.config["POSTGRES_LOCK_TIMEOUT_MS"])


def _configure_postgres(engine: Engine, lock_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        # Outside a transaction, or the pool's rollback on return would undo the SET.
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        dbapi_connection.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
        dbapi_connection.autocommit = autocommit


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


class _WriterQueue:
    """An exclusive lock on a file beside a SQLite database, taken around write transactions.

    SQLite's busy handler polls for its write lock, sleeping 1, 2, 5, 10... ms between tries;
    under a stream of short writes from several processes most of their time went to those
    sleeps. Writers that first queue on this lock (flock wakes the next one as soon as the
    lock is free) find SQLite's lock free. Writes outside write_transaction() are still
    protected by SQLite's own lock; this only makes waiting fair and prompt.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._fd: int | None = None
        self._pid = 0
        # flock() belongs to the open file, which a process's threads share: they queue here.
        self._threads = threading.Lock()

    def _descriptor(self) -> int:
        # One open file per process: a descriptor inherited across fork() would share the
        # lock with the parent instead of waiting for it.
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for the block."""
        with self._threads:
            fd = self._descriptor()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)


_writer_queues: dict[str, _WriterQueue] = {}


def _writer_queue(engine: Engine) -> _WriterQueue | None:
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or fcntl is None:
        return None
    queue = _writer_queues.get(database)
    if queue is None:
        queue = _writer_queues.setdefault(database, _WriterQueue(f"{database}.writers"))
    return queue


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
    queue = _writer_queue(db.engine)
    token = _begin_immediate.set(True)
    try:
        with queue.held() if queue else nullcontext():
            try:
                yield
                session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        _begin_immediate.reset(token)


# SQLite's "database is locked"/"busy"; PostgreSQL's lock_not_available (lock_timeout).
_BUSY_SQLITE = ("database is locked", "database is busy", "database table is locked")
_BUSY_POSTGRES = "55P03"


def is_database_busy(error: OperationalError) -> bool:
    """Tell whether a database error means a lock was not free in time (worth a retry)."""
    if getattr(error.orig, "sqlstate", None) == _BUSY_POSTGRES:
        return True
    return any(text in str(error.orig) for text in _BUSY_SQLITE)


def copy_rows(table: str, rows: Iterable[dict]) -> int:
    """Write many rows with PostgreSQL's COPY, in the session's transaction; return how many.

    Many times faster than INSERT for tens of thousands of rows; every row has the same keys,
    and the columns left out take their database defaults.
    """
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return 0
    names = ", ".join(f'"{name}"' for name in first)
    connection = db.session.connection().connection.driver_connection
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy,
    ):
        for row in itertools.chain([first], iterator):
            copy.write_row(tuple(row.values()))
            count += 1
    return count
