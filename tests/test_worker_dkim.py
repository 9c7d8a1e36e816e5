"""DKIM-signed delivery through the worker: each message is signed while the one before it is
on the wire, and the outbox's guarantees hold (every message once, in order, verified)."""

from __future__ import annotations

import collections
import threading
from datetime import timedelta

import dkim
import pytest
from sqlalchemy import select

from actionapp.email.worker import OutboxWorker
from actionapp.extensions import db
from actionapp.models import MessageStatus, OutboxContent, OutboxMessage
from tests.fixtures_email import dkim_key_pair
from tests.test_services_outbox import at, queue_plain, statuses

SELECTOR = "ua2026"


@pytest.fixture(scope="module")
def key_pair() -> tuple[bytes, bytes]:
    return dkim_key_pair()


@pytest.fixture
def signing(mail_app, key_pair):
    """Sign with a fresh key; return a dkimpy DNS look-up that knows its public half."""
    private, record = key_pair
    mail_app.config.update(DKIM_PRIVATE_KEY=private.decode(), DKIM_SELECTOR=SELECTOR)

    def dns(name, timeout=5):
        return record if name == f"{SELECTOR}._domainkey.rights.example.org.".encode() else None

    return dns


def test_signed_batches_arrive_once_each_in_order_and_verify(
    mail_app, action, smtp_server, deliver, signing
):
    mail_app.config["OUTBOX_BATCH_SIZE"] = 7  # several batches, each signed ahead
    ids = queue_plain(action, 30)
    assert deliver().sent == 30
    assert [r.message_id for r in smtp_server.received] == ids
    for received in smtp_server.received:
        assert received.data.startswith(b"DKIM-Signature: v=1; a=rsa-sha256;")
        assert received.message["Date"]
        assert dkim.verify(received.data, dnsfunc=signing)
    assert statuses() == {"sent": 30}


def test_a_message_that_cannot_be_signed_fails_alone(
    mail_app, action, smtp_server, deliver, signing
):
    ids = queue_plain(action, 5)
    broken = db.session.scalar(select(OutboxMessage).where(OutboxMessage.message_id == ids[2]))
    content = db.session.get(OutboxContent, broken.id)
    content.mime = "X-Injected: yes\r\n" + content.mime  # the check before sending refuses it
    db.session.commit()
    result = deliver()
    assert (result.sent, result.failed) == (4, 1)
    assert [r.message_id for r in smtp_server.received] == ids[:2] + ids[3:]
    assert all(dkim.verify(r.data, dnsfunc=signing) for r in smtp_server.received)
    db.session.expire_all()
    assert broken.status == MessageStatus.FAILED and "unexpected header" in broken.last_error


def test_stopping_mid_batch_sends_nothing_signed_ahead(
    mail_app, action, smtp_server, deliver, signing
):
    ids = queue_plain(action, 8)
    stop = threading.Event()

    def stop_after_the_third(received):
        if len(smtp_server.received) == 3:
            stop.set()

    smtp_server.on_data = stop_after_the_third
    result = OutboxWorker.from_app().deliver_due(stop)
    smtp_server.on_data = None
    # The fourth was signed while the third was sent, but never left.
    assert result.sent == 3 and [r.message_id for r in smtp_server.received] == ids[:3]
    db.session.expire_all()
    waiting = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status != MessageStatus.SENT)
    ).all()
    assert {m.message_id for m in waiting} == set(ids[3:])
    assert all(m.status == MessageStatus.QUEUED and m.attempts == 0 for m in waiting)
    assert deliver(clock=at(timedelta(seconds=1))).sent == 5
    assert collections.Counter(r.message_id for r in smtp_server.received) == dict.fromkeys(ids, 1)
    assert all(dkim.verify(r.data, dnsfunc=signing) for r in smtp_server.received)


def test_refusals_mid_batch_settle_each_message_and_the_rest_goes_on(
    mail_app, action, smtp_server, deliver, signing
):
    ids = queue_plain(action, 5)
    smtp_server.data_answers.extend(
        ["250 Message accepted", "451 4.7.1 Greylisted", "550 5.1.1 No such user"]
    )
    result = deliver()
    assert (result.sent, result.retried, result.failed) == (3, 1, 1)
    assert [r.message_id for r in smtp_server.received] == [ids[0], ids[3], ids[4]]
    assert deliver(clock=at(timedelta(minutes=2))).sent == 1
    assert [r.message_id for r in smtp_server.received][-1] == ids[1]
    assert all(dkim.verify(r.data, dnsfunc=signing) for r in smtp_server.received)
    assert statuses() == {"sent": 4, "failed": 1}
