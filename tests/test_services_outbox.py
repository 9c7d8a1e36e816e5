"""The outbox worker against a real SMTP server: retries, failures, crashes, concurrency."""

from __future__ import annotations

import collections
import itertools
import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from actionapp.database import is_sqlite, write_transaction
from actionapp.email.deliveries import DeliveryPolicy, claim_batch
from actionapp.email.messages import make_message_id
from actionapp.email.outbox import queue_message, reserve_slot
from actionapp.email.worker import OutboxWorker
from actionapp.extensions import db
from actionapp.models import MessageKind, MessageStatus, OutboxMessage, utcnow
from tests.builders import make_chinese_case
from tests.conftest import ROOT
from tests.fixtures_email import MAIL_FROM, dkim_key_pair


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def queue_plain(action, count: int, start: int = 0) -> list[str]:
    """Queue simple messages to distinct addresses; return their Message-IDs."""
    ids = []
    now = utcnow()
    for number in range(start, start + count):
        message_id = make_message_id("rights.example.org", "test")
        queue_message(
            kind=MessageKind.CONFIRMATION,
            action_id=action.id,
            dedupe_key=f"test:{number}",
            sender=MAIL_FROM,
            recipient=f"person{number}@example.org",
            message_id=message_id,
            headers=[("From", MAIL_FROM), ("To", f"person{number}@example.org"),
                     ("Subject", f"Message {number}")],
            body_text=f"Message number {number}.\n",
            now=now,
        )  # fmt: skip
        ids.append(message_id)
    db.session.commit()
    return ids


def statuses() -> dict[str, int]:
    db.session.expire_all()
    found = collections.Counter(m.status.value for m in db.session.scalars(select(OutboxMessage)))
    return dict(found)


def at(offset: timedelta):
    """A worker clock running `offset` ahead of now."""
    return lambda: utcnow() + offset


def received_ids(sink) -> collections.Counter:
    return collections.Counter(r.message_id for r in sink.received)


def test_temporary_failure_is_retried_with_backoff(action, smtp_server, deliver):
    (message_id,) = queue_plain(action, 1)
    smtp_server.data_answers.extend(["451 4.3.0 Try again later"])
    result = deliver()
    assert (result.sent, result.retried) == (0, 1)
    message = db.session.scalar(select(OutboxMessage))
    db.session.refresh(message)
    assert message.status == MessageStatus.QUEUED and message.attempts == 1
    assert message.last_error == "451 4.3.0 Try again later"
    wait = message.next_attempt_at - utcnow()
    assert timedelta(seconds=50) < wait <= timedelta(seconds=60)
    assert deliver().sent == 0  # not due yet
    assert deliver(clock=at(timedelta(seconds=61))).sent == 1
    assert received_ids(smtp_server) == {message_id: 1}
    assert statuses() == {"sent": 1}


def test_backoff_doubles_up_to_a_ceiling():
    policy = DeliveryPolicy(retry_seconds=60, retry_max_seconds=600)
    assert [policy.backoff(n).total_seconds() for n in (1, 2, 3, 4, 5, 6)] == [
        60, 120, 240, 480, 600, 600,
    ]  # fmt: skip


def test_permanent_failure_keeps_the_servers_answer(action, smtp_server, deliver):
    queue_plain(action, 2)
    smtp_server.data_answers.append("550 5.7.1 Message rejected as spam")
    smtp_server.rcpt_answers["person1@example.org"] = "550 5.1.1 No such user"
    result = deliver()
    assert (result.sent, result.failed) == (0, 2)
    errors = sorted(m.last_error for m in db.session.scalars(select(OutboxMessage)))
    assert errors == ["550 5.1.1 No such user", "550 5.7.1 Message rejected as spam"]
    assert statuses() == {"failed": 2}
    assert deliver(clock=at(timedelta(days=1))).sent == 0


def test_temporary_failures_retry_for_the_whole_window_then_fail(action, smtp_server, deliver, app):
    app.config["OUTBOX_RETRY_DAYS"] = 5
    queue_plain(action, 1)
    smtp_server.rcpt_answers["person0@example.org"] = "452 4.2.2 Mailbox full"
    message = db.session.scalar(select(OutboxMessage))
    hours = 0
    while hours < 5 * 24 - 7:  # every pass once due: backoff tops out at 6 hours
        deliver(clock=at(timedelta(hours=hours)))
        hours += 6
    db.session.refresh(message)
    assert message.status == MessageStatus.QUEUED
    assert message.attempts > 8  # more than the old budget of 8, and nothing lost
    answered = message.attempts
    deliver(clock=at(timedelta(days=5, minutes=1)))
    db.session.refresh(message)
    assert message.status == MessageStatus.FAILED and message.attempts == answered + 1
    assert message.last_error == (
        f"gave up after {answered + 1} attempts over 5 days: 452 4.2.2 Mailbox full"
    )


def test_relay_down_past_the_budget_then_greylisting_then_delivered(
    action, smtp_server, deliver, runner
):
    """Only the receiving server's answers count: an outage spends no attempt and no time."""
    (message_id,) = queue_plain(action, 1)
    message = db.session.scalar(select(OutboxMessage))
    smtp_server.stop()
    # Down for three days, a pass every hour: far more passes than the old budget (8).
    minutes = 0
    for minutes in range(0, 3 * 24 * 60, 60):
        result = deliver(clock=at(timedelta(minutes=minutes)))
        assert result.connection_error and result.sent == 0
    db.session.refresh(message)
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 0)
    assert message.first_deferred_at is None
    assert "Connection refused" in runner.invoke(args=["outbox", "status"]).output
    # Back, but greylisting: three "try later" answers, each one an attempt.
    smtp_server.start()
    smtp_server.data_answers.extend(["451 4.7.1 Greylisted, try again later"] * 3)
    later = timedelta(minutes=minutes + 60)
    for _ in range(3):
        result = deliver(clock=at(later))
        assert result.retried == 1
        db.session.refresh(message)
        later = message.next_attempt_at - utcnow() + timedelta(seconds=1)
    assert message.attempts == 3 and message.status == MessageStatus.QUEUED
    assert deliver(clock=at(later)).sent == 1
    db.session.refresh(message)
    assert (message.status, message.attempts) == (MessageStatus.SENT, 4)
    assert received_ids(smtp_server) == {message_id: 1}


def test_server_down_then_back_loses_nothing(action, smtp_server, deliver, runner):
    ids = queue_plain(action, 5)
    smtp_server.stop()
    result = deliver()
    assert result.sent == 0 and "cannot reach" in result.connection_error
    assert statuses() == {"queued": 5}
    status = runner.invoke(args=["outbox", "status"]).output
    assert "Waiting: 5" in status and "Connection refused" in status
    # However long it stays down, nothing is given up.
    for hours in (1, 5, 20, 60):
        deliver(clock=at(timedelta(hours=hours)))
    assert statuses() == {"queued": 5}
    smtp_server.start()
    assert deliver(clock=at(timedelta(hours=61))).sent == 5
    assert received_ids(smtp_server) == dict.fromkeys(ids, 1)


@pytest.mark.parametrize("record_every", [1, 10])
def test_crash_between_send_and_record_resends_with_the_same_message_id(
    action, smtp_server, deliver, monkeypatch, mail_app, record_every
):
    mail_app.config["OUTBOX_RECORD_EVERY"] = record_every
    ids = queue_plain(action, 6)
    import actionapp.email.worker as worker_module

    real_mark_sent = worker_module.mark_sent
    recorded = []

    def crash_recording_the_third(message_ids, now):
        if sum(map(len, recorded)) + len(message_ids) >= 3:
            raise RuntimeError("worker died after the server said 250")
        recorded.append(message_ids)
        return real_mark_sent(message_ids, now)

    monkeypatch.setattr(worker_module, "mark_sent", crash_recording_the_third)
    with pytest.raises(RuntimeError):
        deliver()
    monkeypatch.setattr(worker_module, "mark_sent", real_mark_sent)
    accepted_before_crash = len(smtp_server.received)
    unrecorded = accepted_before_crash - sum(len(batch) for batch in recorded)
    assert 1 <= unrecorded <= record_every
    # The lease still holds: a second worker right now leaves the crashed one's messages alone.
    assert deliver().sent == 0
    deliver(clock=at(timedelta(minutes=6)))
    counts = received_ids(smtp_server)
    assert set(counts) == set(ids)
    # Only what was accepted but not recorded went twice, and with the same Message-ID.
    assert sorted(counts.values(), reverse=True) == [2] * unrecorded + [1] * (6 - unrecorded)
    assert statuses() == {"sent": 6}


@pytest.mark.parametrize(("record_every", "signed"), [(1, False), (10, False), (10, True)])
def test_worker_killed_mid_batch_loses_and_duplicates_nothing(
    app, action, smtp_server, database_url, deliver, tmp_path, record_every, signed
):
    ids = queue_plain(action, 12)
    in_flight = threading.Event()
    release = threading.Event()

    def hold_the_fifth(received):
        if len(smtp_server.received) == 5:
            in_flight.set()
            release.wait(30)

    smtp_server.on_data = hold_the_fifth
    env = {
        **os.environ,
        "ACTIONAPP_ENV": "testing",
        "ACTIONAPP_SQLALCHEMY_DATABASE_URI": database_url,
        "ACTIONAPP_SMTP_HOST": smtp_server.host,
        "ACTIONAPP_SMTP_PORT": str(smtp_server.port),
        "ACTIONAPP_MAIL_BACKEND": "smtp",
        "ACTIONAPP_MAIL_FROM": MAIL_FROM,
        "ACTIONAPP_OUTBOX_RECORD_EVERY": str(record_every),
    }
    if signed:  # the next message is signed on a thread while the held one is in flight
        env["ACTIONAPP_DKIM_PRIVATE_KEY"] = dkim_key_pair()[0].decode()
        env["ACTIONAPP_DKIM_SELECTOR"] = "ua2026"
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "actionapp", "outbox", "send"],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            assert in_flight.wait(60), log.read_text()
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        finally:
            release.set()
            if worker.poll() is None:
                worker.kill()
                worker.wait(10)
    assert worker.returncode == -signal.SIGKILL
    smtp_server.on_data = None
    accepted = [r.message_id for r in smtp_server.received]
    assert accepted == ids[:5]
    # What the dead worker recorded: only messages the server had answered (never the held
    # fifth), in the order sent; every other message of its batch is still leased to it.
    db.session.expire_all()
    status_of = {m.message_id: m.status for m in db.session.scalars(select(OutboxMessage))}
    recorded = [i for i in ids if status_of[i] == MessageStatus.SENT]
    assert recorded == ids[: len(recorded)] and len(recorded) <= 4
    assert status_of == {
        i: MessageStatus.SENT if i in recorded else MessageStatus.SENDING for i in ids
    }
    if record_every == 1:
        # Recorded one by one, each before the next is sent: the four before the held one.
        assert recorded == ids[:4]
    # In groups, a record also falls due after RECORD_EVERY_SECONDS of sending (a slow first
    # connection, a loaded machine), so how many were recorded depends on timing: the
    # guarantee below is about exactly those.
    # Another worker, once the dead one's lease has run out, delivers the rest.
    deliver(clock=at(timedelta(minutes=6)))
    counts = received_ids(smtp_server)
    # Nothing lost; sent twice only what the dead worker had accepted but not recorded, each
    # with its same Message-ID; everything else once.
    unrecorded = set(accepted) - set(recorded)
    assert counts == {i: 2 if i in unrecorded else 1 for i in ids}
    assert statuses() == {"sent": 12}
    signatures = {r.data.startswith(b"DKIM-Signature:") for r in smtp_server.received[:5]}
    assert signatures == {signed}


def test_concurrent_workers_never_send_a_message_twice(mail_app, action, smtp_server):
    ids = queue_plain(action, 300)
    mail_app.config["OUTBOX_BATCH_SIZE"] = 10
    errors = []
    start = threading.Barrier(4)

    def run_worker():
        try:
            with mail_app.app_context():
                start.wait()
                OutboxWorker.from_app().deliver_due()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run_worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert received_ids(smtp_server) == dict.fromkeys(ids, 1)
    assert statuses() == {"sent": 300}


@pytest.mark.skipif(
    not os.environ.get("ACTIONAPP_TEST_DATABASE_URL"), reason="PostgreSQL row locks only"
)
def test_postgres_claims_skip_rows_another_worker_holds(app, action):
    queue_plain(action, 6)
    assert not is_sqlite()
    policy = DeliveryPolicy(batch_size=3)
    other = db.engine.connect()
    try:
        locked = (
            other.exec_driver_sql("SELECT id FROM outbox_messages ORDER BY id LIMIT 3 FOR UPDATE")
            .scalars()
            .all()
        )
        with write_transaction():
            claimed = claim_batch("second-worker", utcnow(), policy)
        assert {m.id for m in claimed}.isdisjoint(locked) and len(claimed) == 3
    finally:
        other.rollback()
        other.close()


def test_lease_keeps_a_claimed_message_from_other_workers(app, action):
    queue_plain(action, 2)
    policy = DeliveryPolicy(batch_size=1, lease_seconds=300)
    now = utcnow()
    with write_transaction():
        first = claim_batch("one", now, policy)
    with write_transaction():
        second = claim_batch("two", now, policy)
    with write_transaction():
        none_left = claim_batch("three", now, policy)
    with write_transaction():
        after_expiry = claim_batch("four", now + timedelta(seconds=301), policy)
    assert len(first) == len(second) == 1 and first[0].id != second[0].id
    assert none_left == []
    assert {m.id for m in after_expiry} == {first[0].id}
    assert after_expiry[0].attempts == 2


def test_throttle_spreads_mail_to_one_address_evenly(app, action):
    now = utcnow().replace(microsecond=0)
    slots = [reserve_slot("Court@Example.org", now, 30) for _ in range(4)]
    assert [(slot - now).total_seconds() for slot in slots] == [0, 120, 240, 360]
    assert reserve_slot("other@example.org", now, 30) == now
    # Later, with the address idle, the next slot is simply now.
    later = now + timedelta(hours=2)
    assert reserve_slot("court@example.org", later, 30) == later
    assert reserve_slot("court@example.org", later, 3600) == later + timedelta(seconds=1)


def test_confirmed_letters_to_one_target_are_spaced_by_the_action_rate(
    post_letter, action, smtp_server, deliver
):
    action.require_email_confirmation = False
    action.mail_rate_per_hour = 12
    db.session.commit()
    court = action.targets[0]
    for number in range(3):
        post_letter(
            action,
            channel="email",
            email=f"s{number}@example.org",
            country="BR",
            targets=[str(court.id)],
        )
    times = sorted(m.next_attempt_at for m in db.session.scalars(select(OutboxMessage)))
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert all(290 <= gap <= 300 for gap in gaps), gaps
    assert deliver().sent == 2  # the first letter and its writer's copy
    assert len(smtp_server.to(court.email)) == 1
    deliver(clock=at(timedelta(minutes=5, seconds=1)))
    assert len(smtp_server.to(court.email)) == 2
    deliver(clock=at(timedelta(minutes=10, seconds=2)))
    assert len(smtp_server.to(court.email)) == 3
