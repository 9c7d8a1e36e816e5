"""Queueing an update to 100,000 opted-in supporters, and supporters writing meanwhile.

Goal (issue 14): at most 10 s on PostgreSQL, and supporters' submission rate during the
queueing at least 0.8 of the rate without it (no lock that blocks them). A writer process
records letters in a loop the whole time; its rate in the seconds before the queueing is the
floor its rate during the queueing is compared with. SQLite runs a smaller set (it has one
writer at a time by design: its figures are for information).
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.exc import OperationalError

from tests.bench.databases import database_urls

SUPPORTERS = {"PostgreSQL": 100_000, "SQLite": 20_000}
BASELINE_SECONDS = 4.0
GOAL_SECONDS = 10.0
GOAL_RATIO = 0.8
SECRET = "bench-secret-" + "x" * 40


def _config(url: str) -> dict:
    return {
        "ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": SECRET,
        "PUBLIC_URL": "https://act.example.org",
        "MAIL_FROM": "actions@rights.example.org",
        "ORGANISATION_NAME": "Example Rights",
        "RATELIMIT_ENABLED": False,
    }


def _prepare(config: dict, supporters: int) -> tuple[int, int]:
    """Migrate; add the demo action, its opted-in supporters and an update; return their ids."""
    from flask_migrate import upgrade

    from actionapp import create_app
    from actionapp.campaigns.case_texts import save_update_texts
    from actionapp.campaigns.editing import add_update
    from actionapp.campaigns.seed import create_demo_action
    from actionapp.extensions import db
    from actionapp.models import Channel, Submission, utcnow

    app = create_app(config)
    with app.app_context():
        upgrade()
        now = utcnow()
        action = create_demo_action(now)
        rows = [
            {
                "action_id": action.id,
                "public_token": f"bench-{number:07d}-{uuid.uuid4().hex}",
                "client_key": f"bench-{number:07d}-client-key",
                "channel": Channel.PRINT,
                "name": f"Supporter {number}",
                "email": f"supporter{number}@example.org",
                "country": "GB",
                "language": "zh" if number % 4 == 0 else "en",
                "variant": "release",
                "consent_text": "I agree.",
                "consent_updates": True,
                "created_at": now,
                "counted_at": now,
            }
            for number in range(supporters)
        ]
        for start in range(0, len(rows), 10_000):
            db.session.execute(insert(Submission), rows[start : start + 10_000])
        update = add_update(action, "sentenced", "The court has ruled", "Both were sentenced.", now)
        save_update_texts(update, "zh", "法院已宣判", "两人均被判刑。")
        db.session.commit()
        ids = (action.id, update.id)
        db.engine.dispose()
    return ids


def _writer_main(config: dict, action_id: int, stop, out) -> None:
    """Record supporters' letters in a loop until told to stop; send back each one's time."""
    from actionapp import create_app
    from actionapp.campaigns.actions import primary_targets
    from actionapp.extensions import db
    from actionapp.letters.compose import SupporterDetails
    from actionapp.letters.record import NewSubmission
    from actionapp.models import Action, Channel, utcnow
    from tests.builders import submit_letters

    app = create_app(config)
    times = []
    with app.app_context():
        action = db.session.get(Action, action_id)
        targets = [t.id for t in primary_targets(action)]
        number = 0
        out.send("ready")
        while not stop.is_set():
            number += 1
            key = f"writer-{os.getpid()}-{number}"
            details = SupporterDetails(
                name="Ana Example", city="Porto", country="GB", language="en",
                variant="release", personal_message="", target_ids=targets, seed=key,
            )  # fmt: skip
            new = NewSubmission(
                details=details, channel=Channel.PRINT, client_key=key + "-" + "x" * 16,
                consent_text="I agree.", email=f"{key}@example.org", consent_updates=True,
            )  # fmt: skip
            try:
                submit_letters(db.session.get(Action, action_id), new, utcnow())
                db.session.commit()
            except OperationalError:  # SQLite: the writer waited past its busy timeout
                db.session.rollback()
                continue
            times.append(time.time())
        db.engine.dispose()
    out.send(times)


def _queue(config: dict, action_id: int, update_id: int) -> tuple[float, int]:
    """Queue the update as the organiser's send does; return the seconds and the count."""
    from actionapp import create_app
    from actionapp.database import write_transaction
    from actionapp.email.messages import mail_settings
    from actionapp.email.updates import prepare_update, queue_update
    from actionapp.extensions import db
    from actionapp.models import Action, ActionUpdate, utcnow

    app = create_app(config)
    with app.app_context():
        action = db.session.get(Action, action_id)
        update = db.session.get(ActionUpdate, update_id)
        settings = mail_settings(app.config)
        started = time.perf_counter()
        prepared = prepare_update(action, update, settings, SECRET)
        with write_transaction():
            queued = queue_update(prepared, settings, utcnow())
        seconds = time.perf_counter() - started
        db.engine.dispose()
    return seconds, queued or 0


def _measure(report, label: str, url: str) -> None:
    supporters = SUPPORTERS[label]
    config = _config(url)
    action_id, update_id = _prepare(config, supporters)
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    parent, child = context.Pipe()
    writer = context.Process(target=_writer_main, args=(config, action_id, stop, child))
    writer.start()
    try:
        assert parent.poll(120) and parent.recv() == "ready"
        time.sleep(1.0)  # past the writer's first, slower requests
        before = time.time()
        time.sleep(BASELINE_SECONDS)
        began = time.time()
        seconds, queued = _queue(config, action_id, update_id)
        ended = time.time()
    finally:
        stop.set()
        times = parent.recv() if parent.poll(120) else []
        writer.join(timeout=30)
        if writer.is_alive():
            writer.terminate()
    baseline = sum(before <= t < began for t in times) / (began - before)
    during = sum(began <= t < ended for t in times) / (ended - began)
    ratio = during / baseline if baseline else 0.0
    report.add(f"{label}: queue an update to {queued:,} supporters", seconds, "s")
    report.add(f"{label}: supporters' submissions without queueing (floor)", baseline, "sub/s")
    report.add(f"{label}: supporters' submissions during the queueing", during, "sub/s")
    report.add(f"{label}: ratio during / without", ratio, "x")
    if label == "PostgreSQL":
        # The writer's own supporters opted in too: they are among those queued.
        in_time = queued >= supporters and seconds <= GOAL_SECONDS
        report.check(f"{label}: {queued:,} queued in <= {GOAL_SECONDS:.0f} s", in_time,
                     f"{seconds:.1f} s")  # fmt: skip
        report.check(f"{label}: submission rate ratio >= {GOAL_RATIO}", ratio >= GOAL_RATIO,
                     f"{ratio:.2f}")  # fmt: skip


def run(report) -> None:
    """Queue an update on SQLite (20,000) and PostgreSQL (100,000, when configured)."""
    with tempfile.TemporaryDirectory() as tmp:
        databases = database_urls(Path(tmp), "bench-updates")
        try:
            for label, url, _cleanup in databases:
                _measure(report, label, url)
        finally:
            for _label, _url, cleanup in databases:
                cleanup()
