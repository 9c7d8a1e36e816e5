"""Databases a bench section runs on: SQLite, and PostgreSQL when the test URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def database_urls(tmp: Path, name: str) -> list[tuple[str, str, Callable[[], None]]]:
    """Return (label, url, cleanup): SQLite in tmp, and a new PostgreSQL database if
    ACTIONAPP_TEST_DATABASE_URL names a server (cleanup drops it)."""
    urls = [("SQLite", f"sqlite:///{tmp / f'{name}.db'}", lambda: None)]
    base = os.environ.get("ACTIONAPP_TEST_DATABASE_URL")
    if base:
        server = make_url(base)
        database = f"actionapp_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()

        urls.append(("PostgreSQL", server.set(database=database).render_as_string(False), drop))
    return urls
