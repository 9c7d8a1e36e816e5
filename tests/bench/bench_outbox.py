"""Outbox delivery: 2,000 queued letters to a local aiosmtpd sink, with 1 and 2 workers.

The floor is a bare smtplib loop sending the same message bytes over one connection. The sink
runs in its own process so that it does not share a GIL with what is measured. Every run
checks that each Message-ID arrived exactly once.
"""

from __future__ import annotations

import collections
import multiprocessing
import re
import smtplib
import socket
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select, text, update

from tests.bench.databases import database_urls

MESSAGES = 2000
ROUNDS = 2
DKIM_MESSAGES = 1000
SENDER = "actions@rights.example.org"
BODY = (
    "Dear Ambassador,\n\n"
    + (
        "I am writing to you about the journalist Sophia Huang Xueqin and the labour-rights "
        "activist Wang Jianbing, detained in Guangzhou since 19 September 2021.\n\n"
    )
    * 8
    + "Yours sincerely,\nJane Doe\nLeeds, United Kingdom\n"
)
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>]+>)", re.MULTILINE | re.IGNORECASE)


# --- the sink, in its own process --------------------------------------------------------------


def _sink_main(port: int, control) -> None:
    from aiosmtpd.controller import Controller

    seen: collections.Counter = collections.Counter()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            match = MESSAGE_ID.search(envelope.content)
            seen[match.group(1).decode() if match else "?"] += len(envelope.rcpt_tos)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    control.send("ready")
    while True:
        command = control.recv()
        if command == "report":
            control.send(dict(seen))
        elif command == "reset":
            seen.clear()
            control.send("ok")
        else:
            break
    controller.stop()


class Sink:
    """An aiosmtpd server in a child process that counts Message-IDs."""

    def __init__(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.control, child = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("spawn").Process(
            target=_sink_main, args=(self.port, child), daemon=True
        )
        self.process.start()
        assert self.control.recv() == "ready"

    def ask(self, command: str):
        self.control.send(command)
        return self.control.recv()

    def close(self) -> None:
        self.control.send("stop")
        self.process.join(10)


# --- the database -------------------------------------------------------------------------------


def _config(url: str, port: int, **extra) -> dict:
    return {
        "ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
        "MAIL_BACKEND": "smtp",
        "MAIL_FROM": SENDER,
        "ORGANISATION_NAME": "Example Rights",
        **extra,
    }


def _prepare(config: dict) -> list[str]:
    """Migrate, add the demo action and queue the letters; return their Message-IDs."""
    from flask_migrate import upgrade

    from actionapp import create_app
    from actionapp.campaigns.seed import create_demo_action
    from actionapp.email.messages import format_address, make_message_id
    from actionapp.email.outbox import queue_message
    from actionapp.extensions import db
    from actionapp.models import MessageKind, utcnow

    app = create_app(config)
    ids = []
    with app.app_context():
        upgrade()
        action = create_demo_action(utcnow())
        now = utcnow()
        for number in range(MESSAGES):
            recipient = f"official{number}@example.org"
            message_id = make_message_id("rights.example.org", "letter")
            queue_message(
                kind=MessageKind.LETTER,
                action_id=action.id,
                dedupe_key=f"bench:{number}",
                sender=SENDER,
                recipient=recipient,
                message_id=message_id,
                headers=[
                    ("From", format_address("Jane Doe via Example Rights", SENDER)),
                    ("To", format_address(f"Official {number}", recipient)),
                    ("Reply-To", format_address("Jane Doe", f"jane{number}@example.org")),
                    ("Subject", "Release Sophia Huang Xueqin and Wang Jianbing"),
                    ("Content-Language", "en"),
                ],
                body_text=BODY,
                now=now,
            )
            ids.append(message_id)
        db.session.commit()
        db.engine.dispose()
    return ids


def _requeue(config: dict, ids: list[str], count: int | None = None) -> list[str]:
    """Put (some of) the messages back in the queue, as if never sent."""
    from actionapp import create_app
    from actionapp.extensions import db
    from actionapp.models import MessageStatus, OutboxMessage

    app = create_app(config)
    chosen = ids[:count] if count else ids
    with app.app_context():
        db.session.execute(
            update(OutboxMessage).values(
                status=MessageStatus.SENT, attempts=0, next_attempt_at=datetime(2000, 1, 1)
            )
        )
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.message_id.in_(chosen))
            .values(status=MessageStatus.QUEUED)
        )
        db.session.commit()
        db.engine.dispose()
    return chosen


def _unsent(config: dict) -> int:
    from actionapp import create_app
    from actionapp.extensions import db
    from actionapp.models import MessageStatus, OutboxMessage

    app = create_app(config)
    with app.app_context():
        count = db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status != MessageStatus.SENT)
        )
        db.engine.dispose()
    return count


# --- the measured parts -------------------------------------------------------------------------


def _worker_main(config: dict, ready, start, done) -> None:
    from actionapp import create_app
    from actionapp.email.worker import OutboxWorker
    from actionapp.extensions import db

    app = create_app(config)
    with app.app_context():
        worker = OutboxWorker.from_app()
        db.session.execute(text("SELECT 1"))  # connect before the clock starts
        db.session.rollback()
        ready.put(True)
        start.wait()
        result = worker.deliver_due()
    done.put(result.sent)


def _deliver(config: dict, workers: int) -> tuple[float, int]:
    """Run worker processes from one start signal; return (seconds, messages they sent)."""
    context = multiprocessing.get_context("spawn")
    ready, start, done = context.Queue(), context.Event(), context.Queue()
    processes = [
        context.Process(target=_worker_main, args=(config, ready, start, done))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    for _process in processes:
        ready.get(timeout=120)
    time.sleep(0.5)  # let the machine settle after the imports
    began = time.perf_counter()
    start.set()
    sent = sum(done.get(timeout=600) for _ in processes)
    elapsed = time.perf_counter() - began
    for process in processes:
        process.join(30)
    return elapsed, sent


def _floor(port: int, ids: list[str]) -> float:
    """Send the same messages with a bare smtplib loop over one connection; return seconds."""
    from actionapp.email.messages import build_message, format_address, stamp_message

    now = datetime(2026, 1, 1)
    messages = [
        (
            f"official{number}@example.org",
            stamp_message(
                build_message(
                    [
                        ["From", format_address("Jane Doe via Example Rights", SENDER)],
                        ["To", f"official{number}@example.org"],
                        ["Reply-To", f"jane{number}@example.org"],
                        ["Subject", "Release Sophia Huang Xueqin and Wang Jianbing"],
                        ["Message-ID", message_id],
                    ],
                    BODY,
                ),
                now,
            ),
        )
        for number, message_id in enumerate(ids)
    ]
    began = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for recipient, data in messages:
            smtp.sendmail(SENDER, [recipient], data)
    return time.perf_counter() - began


def _delivered_once(sink: Sink, ids: list[str], config: dict | None) -> str:
    """Return "" when every message arrived exactly once (and is recorded sent), else why not."""
    seen = sink.ask("report")
    lost = [mid for mid in ids if mid not in seen]
    doubled = [mid for mid, n in seen.items() if n > 1]
    unsent = _unsent(config) if config else 0
    if not lost and not doubled and unsent == 0 and len(seen) == len(ids):
        return ""
    return f"{len(seen)} received, {len(lost)} lost, {len(doubled)} duplicated, {unsent} unsent"


def _test_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def run(report) -> None:
    """Measure the floor, then 1 and 2 workers, on SQLite (and PostgreSQL when configured)."""
    sink = Sink()
    with tempfile.TemporaryDirectory() as tmp:
        databases = database_urls(Path(tmp), "bench-outbox")
        try:
            for label, url, _cleanup in databases:
                _measure(report, label, _config(url, sink.port), sink)
        finally:
            sink.close()
            for _label, _url, cleanup in databases:
                cleanup()


def _measure(report, label: str, config: dict, sink: Sink) -> None:
    ids = _prepare(config)
    # Best of a few rounds, for the floor and the workers alike: this machine is noisy.
    floors, problems = [], []
    for _round in range(ROUNDS + 1):
        sink.ask("reset")
        floors.append(MESSAGES / _floor(sink.port, ids))
        problems.append(_delivered_once(sink, ids, None))
    floor = max(floors)
    report.add(f"{label}: bare smtplib loop, one connection (floor)", floor, "msg/s")
    report.check(f"{label} floor: none lost, none duplicated", not any(problems))
    for workers in (1, 2):
        rates, problems = [], []
        for _round in range(ROUNDS):
            _requeue(config, ids)
            sink.ask("reset")
            seconds, _sent = _deliver(config, workers)
            rates.append(MESSAGES / seconds)
            problems.append(_delivered_once(sink, ids, config))
        rate = max(rates)
        name = f"{label}: outbox, {workers} worker{'s' if workers > 1 else ''}"
        report.add(name, rate, "msg/s", f"{rate / floor:.2f} of the floor")
        report.check(
            f"{name}: at least 0.5 of the floor", rate / floor >= 0.5, f"{rate / floor:.2f}"
        )
        report.check(
            f"{name}: none lost, none duplicated",
            not any(problems),
            "; ".join(p for p in problems if p) or f"{ROUNDS} rounds of {MESSAGES} checked",
        )
    dkim_config = {**config, "DKIM_PRIVATE_KEY": _test_key(), "DKIM_SELECTOR": "b"}
    rates, dkim_problems = [], []
    for _round in range(ROUNDS):
        signed = _requeue(config, ids, DKIM_MESSAGES)
        sink.ask("reset")
        seconds, _sent = _deliver(dkim_config, 1)
        rates.append(DKIM_MESSAGES / seconds)
        dkim_problems.append(_delivered_once(sink, signed, config))
    rate = max(rates)
    name = f"{label}: outbox, 1 worker, DKIM-signed (RSA 2048 through OpenSSL)"
    report.add(name, rate, "msg/s", f"{rate / floor:.2f} of the floor")
    report.check(f"{name}: at least 0.5 of the floor", rate / floor >= 0.5, f"{rate / floor:.2f}")
    problem = "; ".join(p for p in dkim_problems if p)
    report.check(f"{label}, DKIM-signed: none lost, none duplicated", not problem, problem)
