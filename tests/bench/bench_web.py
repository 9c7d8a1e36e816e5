"""Web throughput under gunicorn (2 workers): a minimal Flask page (the ceiling), a minimal form
post that writes one row (the floor for a write), the action page, and letter submissions, on
SQLite and on PostgreSQL; counts reconciled afterwards."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from statistics import median

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from tests.bench.load import Prepared, run_load

# Each of the four is measured for SECONDS in each of ROUNDS rounds; figures are medians.
SECONDS = float(os.environ.get("BENCH_SECONDS", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
PG_SERVER = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PUBLIC_URL = "https://act.example.org"  # production needs one; the bench follows no link
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(port: int, process: subprocess.Popen) -> None:
    for _ in range(200):
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited: " + process.stderr.read().decode()[-2000:])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("gunicorn did not start")


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str]):
    """Serve an app with gunicorn, 2 sync workers, on a free loopback port."""
    port = _free_port()
    process = subprocess.Popen(
        [GUNICORN, "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", app_spec],
        env={**os.environ, **env},
        stderr=subprocess.PIPE,
    )
    try:
        _wait_until_up(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def _settings(database_url: str, secret: str) -> dict[str, str]:
    return {
        "ACTIONAPP_ENV": "production",
        "ACTIONAPP_SECRET_KEY": secret,
        "ACTIONAPP_SQLALCHEMY_DATABASE_URI": database_url,
        "ACTIONAPP_PUBLIC_URL": PUBLIC_URL,
        # One limiter per worker in memory would make the figures depend on the bench client's
        # single address; production uses a shared store (Redis) and real addresses.
        "ACTIONAPP_RATELIMIT_ENABLED": "false",
    }


def _prepare_database(database_url: str, secret: str):
    from flask_migrate import upgrade

    from actionapp import create_app
    from actionapp.campaigns.seed import create_demo_action
    from actionapp.extensions import db
    from actionapp.models import utcnow

    app = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": secret,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PUBLIC_URL": PUBLIC_URL,
        }
    )
    with app.app_context():
        upgrade()
        action = create_demo_action(utcnow())
        db.session.commit()
        slug = action.slug
        targets = [t.id for t in action.targets if t.kind == "primary"]
        db.engine.dispose()
    return app, slug, targets


def _signed_posts(app, path: str, forms: list[dict]) -> list[Prepared]:
    """Build form posts to an app, each with its own session cookie and CSRF token."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    serializer = app.session_interface.get_signing_serializer(app)
    prepared = []
    for fields in forms:
        with app.test_request_context():
            token = generate_csrf()
            cookie = serializer.dumps(dict(session))
        body = urllib.parse.urlencode({"csrf_token": token, **fields}, doseq=True).encode()
        prepared.append(
            Prepared(
                "POST",
                path,
                body,
                (
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Cookie", f"{app.config['SESSION_COOKIE_NAME']}={cookie}"),
                ),
            )
        )
    return prepared


# What supporters write: most add a paragraph of their own, some edit the model letter, half
# of those who print give a street address for the return address (measured as it prints).
PARAGRAPHS = (
    "",
    "I am a nurse in Leeds. My grandmother was a lawyer, and this case reminds me of her "
    "courage: nobody should go to prison for defending workers and survivors.",
    "As a teacher I tell my students that speaking up is a right. Please let Sophia Huang "
    "Xueqin and Wang Jianbing go home to their families.",
    "I care about free speech.",
)
STREETS = ("", "{n} Park Road", "Flat {n}\n27 Chapel Allerton Lane", "")


def _submissions(app, slug: str, targets: list[int], count: int) -> list[Prepared]:
    """Build distinct composer posts as supporters send them: print letters to the primary
    targets and an embassy, each with its own name, address, paragraph and sometimes edits."""
    from actionapp.campaigns.actions import model_letter
    from actionapp.extensions import db
    from actionapp.letters.antibot import start_token
    from actionapp.letters.compose import editable_text
    from actionapp.models import Action, utcnow

    with app.app_context():
        action = db.session.scalar(select(Action).where(Action.slug == slug))
        model = editable_text(model_letter(action, "release", "en"))
        db.engine.dispose()
    edited = model.replace("I am writing", "As someone who has followed this case, I am writing")
    stamp = start_token(app.config["SECRET_KEY"], utcnow() - timedelta(seconds=30))
    forms = [
        {
            "name": f"Bench Supporter {n}",
            "email": f"bench{n}@example.org",
            "street_address": STREETS[n % len(STREETS)].format(n=n),
            "city": "Leeds",
            "country": "GB",
            "language": "en",
            "targets": targets,
            "variant": "release",
            "body": edited if n % 5 == 0 else "",
            "personal_message": PARAGRAPHS[n % len(PARAGRAPHS)],
            "consent_processing": "y",
            "client_key": uuid.uuid4().hex,
            "started": stamp,
            "channel": "print",
        }
        for n in range(count)
    ]
    return _signed_posts(app, f"/actions/{slug}/write", forms)


def _minimal_writes(env: dict[str, str], count: int) -> list[Prepared]:
    """Build posts to the minimal write app, and create its table."""
    from sqlalchemy import create_engine

    from tests.bench import minimal_write_app

    database_url = env["ACTIONAPP_SQLALCHEMY_DATABASE_URI"]
    engine = create_engine(database_url)
    minimal_write_app.metadata.create_all(engine)
    engine.dispose()
    app = minimal_write_app.create_app(env["ACTIONAPP_SECRET_KEY"], database_url)
    forms = [
        {"name": f"Bench Supporter {n}", "email": f"bench{n}@example.org", "city": "Leeds"}
        for n in range(count)
    ]
    return _signed_posts(app, "/write", forms)


def _reconcile(database_url: str, slug: str) -> tuple[int, int, int, int]:
    from actionapp import create_app
    from actionapp.extensions import db
    from actionapp.models import Action, Letter, Submission
    from actionapp.stats.counts import action_counts

    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        action = db.session.scalar(select(Action).where(Action.slug == slug))
        counts = action_counts(action.id)
        submissions = db.session.scalar(select(func.count(Submission.id)))
        letters = db.session.scalar(select(func.count(Letter.id)))
        db.engine.dispose()
    # The bench's printed letters are recorded, not downloaded: they wait as "to_print" (and
    # count, with their supporter, from the first download). Reconcile every recorded letter.
    recorded = counts.by_status.get("print", {}).get("to_print", 0)
    return counts.supporters, submissions, recorded, letters


def _round(ports: dict[str, int], page: Prepared, writes, posts) -> dict[str, tuple]:
    """Measure each of the four once, one after the other: (req/s, statuses) per kind."""
    return {
        "ceiling": run_load(ports["minimal"], [Prepared("GET", "/")] * 1_000_000, SECONDS),
        "write": run_load(ports["write"], writes, SECONDS),
        "page": run_load(ports["app"], [page] * 1_000_000, SECONDS),
        "submit": run_load(ports["app"], posts, SECONDS),
    }


def _measure(report, label: str, database_url: str) -> None:
    secret = secrets.token_urlsafe(32)
    app, slug, targets = _prepare_database(database_url, secret)
    env = _settings(database_url, secret)
    page = Prepared("GET", f"/actions/{slug}", headers=(("Accept-Language", "en-GB"),))
    with (
        gunicorn("tests.bench.minimal_app:create_app()", env) as minimal,
        gunicorn("tests.bench.minimal_write_app:create_app()", env) as write,
        gunicorn("actionapp:create_app()", env) as served,
    ):
        ports = {"minimal": minimal, "write": write, "app": served}
        run_load(minimal, [Prepared("GET", "/")] * 300, 2)  # warm up
        run_load(served, [page] * 300, 2)
        ceiling, _ = run_load(minimal, [Prepared("GET", "/")] * 1_000_000, SECONDS)
        count = int(max(ceiling, 500) * SECONDS * 1.2)
        writes = _minimal_writes(env, count * ROUNDS + 300)
        posts = _submissions(app, slug, targets, count * ROUNDS)
        run_load(write, writes[:300], 2)
        # Rounds alternate the four measurements, so that a shared machine's slow moments
        # fall on all of them alike; each ratio is taken within a round, then the median.
        rounds = [
            _round(
                ports,
                page,
                writes[300 + n * count : 300 + (n + 1) * count],
                posts[n * count : (n + 1) * count],
            )
            for n in range(ROUNDS)
        ]
    for kind, allowed in (("write", {303}), ("page", {200}), ("submit", {303})):
        for measured in rounds:
            assert set(measured[kind][1]) <= allowed, (kind, measured[kind][1])
    ok = sum(measured["submit"][1].get(303, 0) for measured in rounds)
    supporters, submissions, letter_count, letter_rows = _reconcile(database_url, slug)

    def rate(kind: str) -> float:
        return median(measured[kind][0] for measured in rounds)

    def ratio(kind: str, base: str = "ceiling") -> float:
        return median(measured[kind][0] / measured[base][0] for measured in rounds)

    def spread(kind: str, base: str = "ceiling") -> str:
        values = sorted(measured[kind][0] / measured[base][0] for measured in rounds)
        return f"rounds {values[0]:.2f}-{values[-1]:.2f}"

    report.add(f"[{label}] minimal Flask page (ceiling)", rate("ceiling"), "req/s")
    report.add(
        f"[{label}] minimal form post writing one row",
        rate("write"),
        "req/s",
        f"{ratio('write'):.2f} of ceiling, {spread('write')}",
    )
    report.add(
        f"[{label}] action page",
        rate("page"),
        "req/s",
        f"{ratio('page'):.2f} of ceiling, {spread('page')}",
    )
    report.add(
        f"[{label}] letter submissions",
        rate("submit"),
        "req/s",
        f"{ratio('submit'):.2f} of ceiling, {spread('submit')}, "
        f"{ratio('submit', 'write'):.2f} of the form post",
    )
    report.check(f"[{label}] action page >= 0.70 of ceiling", ratio("page") >= 0.70)
    report.check(f"[{label}] submissions >= 0.40 of ceiling", ratio("submit") >= 0.40)
    report.check(
        f"[{label}] counts equal successful submissions",
        ok == submissions and supporters == 0 and letter_count == letter_rows == 3 * ok,
        f"303s={ok} supporters={supporters} rows={submissions} to_print={letter_count}/"
        f"{letter_rows}",
    )


def run(report) -> None:
    """Measure on SQLite, then on PostgreSQL if one answers."""
    with tempfile.TemporaryDirectory() as folder:
        _measure(report, "SQLite", f"sqlite:///{folder}/bench.db")
    server = make_url(PG_SERVER)
    name = f"actionapp_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        print(f"  PostgreSQL not measured: {error}")
        return
    try:
        _measure(report, "PostgreSQL", server.set(database=name).render_as_string(False))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
