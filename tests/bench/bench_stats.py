"""Statistics page on an action with 1,000,000 letters (rollups and real letter rows).

Runs on a fresh SQLite file, or on PostgreSQL when ACTIONAPP_BENCH_DATABASE_URL names a server
(a database is created there for the run and dropped after). Times the statistics page through
the Flask test client and compares it with a minimal page measured in the same run.
"""

from __future__ import annotations

import os
import re
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from actionapp import create_app
from actionapp.campaigns.seed import create_demo_action
from actionapp.database import write_transaction
from actionapp.extensions import db
from actionapp.models import Role, utcnow
from actionapp.organisers.accounts import create_organiser
from actionapp.stats.rollups import compact_day, days_to_compact
from actionapp.stats.statistics import action_statistics, default_range
from tests.bench.stats_data import populate

LETTERS = int(os.environ.get("BENCH_STATS_LETTERS", "1000000"))
GOAL_MS = 300.0
RUNS = 15
PASSWORD = "bench password, not secret"


def _median_ms(fn, runs: int = RUNS) -> tuple[float, float]:
    fn()
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def _database(tmp: Path) -> tuple[str, callable]:
    server = os.environ.get("ACTIONAPP_BENCH_DATABASE_URL")
    if not server:
        return f"sqlite:///{tmp / 'bench-stats.db'}", lambda: None
    url = make_url(server)
    name = f"actionapp_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def run(report) -> None:
    """Generate the action, then time the statistics page and its parts."""
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = _database(Path(tmp))
        try:
            _run(report, url, Path(tmp))
        finally:
            drop()


def _run(report, url: str, tmp: Path) -> None:
    app = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "UPLOAD_FOLDER": str(tmp / "uploads"),
        }
    )
    with app.app_context():
        dialect = db.engine.dialect.name
        upgrade()
        now = utcnow()
        action = create_demo_action(now - timedelta(days=43))
        create_organiser("bench@example.org", PASSWORD, Role.VIEWER, now)
        db.session.commit()
        start = time.perf_counter()
        made = populate(action, LETTERS, now)
        report.add(f"generate {made:,} letters ({dialect})", time.perf_counter() - start, "s")
        if dialect == "postgresql":
            # What autovacuum does soon after a bulk load: statistics and the visibility map.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE letter_rollups"))
        rollup_rows = db.session.scalar(text("SELECT count(*) FROM letter_rollups"))
        report.add("rollup rows", rollup_rows, "rows", f"{made / rollup_rows:.1f} letters per row")
        action_id, slug = action.id, action.slug
        db.session.remove()

    # Requests run outside that app context: each gets its own session, as in production.
    client = app.test_client()
    signed = client.post("/auth/sign-in", data={"email": "bench@example.org", "password": PASSWORD})
    assert signed.status_code == 303, signed.status_code
    page_url = f"/organise/actions/{action_id}/statistics"

    def stats_page():
        response = client.get(page_url)
        assert response.status_code == 200
        return response

    floor_ms, _ = _median_ms(lambda: client.get("/health"))
    report.add("minimal page (/health), median", floor_ms, "ms")
    with app.app_context():
        pairs = days_to_compact(utcnow().date() - timedelta(days=1))
        db.session.remove()
    if pairs:
        # PostgreSQL: first as the writers left the rollups (8 slots), then after the
        # daily `flask stats compact`. Compacting six weeks at once leaves a table full of
        # dead rows that daily runs never would: VACUUM FULL stands in for that steady state.
        raw_ms, raw_max = _median_ms(stats_page)
        report.add("statistics page before compaction, median", raw_ms, "ms",
                   f"max {raw_max:.1f}")  # fmt: skip
        start = time.perf_counter()
        with app.app_context():
            for pair in pairs:
                with write_transaction():
                    compact_day(*pair)
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM FULL ANALYZE letter_rollups"))
            rows_after = db.session.scalar(text("SELECT count(*) FROM letter_rollups"))
            db.session.remove()
        report.add("stats compact (all past days) + VACUUM FULL", time.perf_counter() - start, "s",
                   f"{rows_after:,} rows left")  # fmt: skip
    page_ms, page_max = _median_ms(stats_page)
    report.add("statistics page, whole action, median", page_ms, "ms", f"max {page_max:.1f}")
    report.add("statistics page / minimal page", page_ms / floor_ms, "x")
    today = utcnow().date()
    week_url = f"{page_url}?start={(today - timedelta(days=6)).isoformat()}&end={today}"
    week_ms, _ = _median_ms(lambda: client.get(week_url))
    report.add("statistics page, last 7 days, median", week_ms, "ms")
    dash_ms, _ = _median_ms(lambda: client.get("/organise/"))
    report.add("dashboard, median", dash_ms, "ms")
    api_ms, _ = _median_ms(lambda: client.get(f"/api/v1/actions/{slug}"))
    report.add("public API counts, median", api_ms, "ms")

    from actionapp.models import Action

    with app.app_context():
        action = db.session.get(Action, action_id)
        service_ms, _ = _median_ms(
            lambda: action_statistics(action, default_range(action, utcnow().date()))
        )
        db.session.remove()
    report.add("statistics service alone, median", service_ms, "ms")

    page = stats_page().get_data(as_text=True)
    shown = int(re.search(r'<dd id="total-letters">([^<]+)</dd>', page).group(1).replace(",", ""))
    api = client.get(f"/api/v1/actions/{slug}").get_json()["counts"]["letters"]
    report.check("page total equals the public API", shown == api, f"{shown:,} letters")
    report.check(
        f"statistics page <= {GOAL_MS:.0f} ms", page_ms <= GOAL_MS, f"median {page_ms:.1f} ms"
    )
    with app.app_context():
        db.engine.dispose()
