"""The outbox worker: claim due messages, hand them to SMTP, record what happened.

Like a view, the worker owns its transactions: one to claim a batch, then one per message
to record the outcome right after the server answered. A worker that dies between the
server's answer and that record leaves the message leased; when the lease runs out another
pass sends it again, with the same Message-ID, so a receiver sees the same message twice at
most, never a different one.
"""

from __future__ import annotations

import collections
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from actionapp.database import write_transaction
from actionapp.email.channels import queue_copy_when_delivered
from actionapp.email.deliveries import (
    DeliveryPolicy,
    Outgoing,
    claim_batch,
    commit_without_waiting_for_disk,
    due_count,
    mark_failed,
    mark_retry,
    mark_sent,
    mark_unreached,
    release,
)
from actionapp.email.messages import (
    HeaderInjectionError,
    MailSettings,
    dkim_sign,
    mail_settings,
    stamp_message,
)
from actionapp.email.outbox import reserve_slot
from actionapp.email.transport import DeliveryError, Transport, transport_from_config
from actionapp.extensions import db
from actionapp.models import Action, MessageKind, utcnow

# Never start a send this close to the end of the lease: another worker may take it over then.
LEASE_MARGIN = timedelta(seconds=60)
# Accepted messages are recorded at least this often (and every policy.record_every messages).
RECORD_EVERY_SECONDS = 0.05
# How many messages the signer thread may sign ahead of the one being sent: a few, so that a
# busy machine's scheduling seldom leaves the sender waiting for a signature, and a Date is
# early by a few messages' sending time at most.
SIGN_AHEAD = 4
# When the server cannot be reached, try again at least this often (nothing is given up).
CONNECTION_RETRY_MAX = timedelta(minutes=15)


@dataclass
class PassResult:
    """What one delivery pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    connection_error: str = ""


class _Accepted:
    """Messages the server accepted that are not recorded yet.

    Recording costs a transaction; under a fast local server, one per message would halve the
    rate. So a record covers up to policy.record_every messages, but no more than
    RECORD_EVERY_SECONDS of sending: with a real server's latency, that is every message.
    A crash re-sends at most the messages not yet recorded.
    """

    def __init__(self) -> None:
        self.messages: list[Outgoing] = []
        self.since = 0.0

    def add(self, message: Outgoing, send_started: float) -> None:
        if not self.messages:
            self.since = send_started
        self.messages.append(message)

    def due(self, policy: DeliveryPolicy) -> bool:
        return (
            len(self.messages) >= policy.record_every
            or time.monotonic() - self.since >= RECORD_EVERY_SECONDS
        )

    def take(self) -> list[Outgoing]:
        taken, self.messages = self.messages, []
        return taken


def worker_name() -> str:
    """Name this worker in leases: host, process and a random tag."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(3)}"


class OutboxWorker:
    """Delivers the outbox through one transport."""

    def __init__(
        self,
        transport: Transport,
        settings: MailSettings,
        policy: DeliveryPolicy,
        owner: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.transport = transport
        self.settings = settings
        self.policy = policy
        self.owner = owner or worker_name()
        self.clock = clock
        # Signs the next message while the current one is on the wire (see _prepare).
        self._signer: ThreadPoolExecutor | None = None

    @classmethod
    def from_app(cls, **overrides) -> OutboxWorker:
        """Build a worker from the current app's configuration."""
        config = current_app.config
        return cls(
            transport=overrides.pop("transport", None)
            or transport_from_config(config, current_app.instance_path),
            settings=mail_settings(config),
            policy=DeliveryPolicy.from_config(config),
            **overrides,
        )

    def deliver_due(self, stop: threading.Event | None = None) -> PassResult:
        """Deliver every message due now, batch after batch; stop early if SMTP is down."""
        result = PassResult()
        if self.settings.signs:
            self._signer = ThreadPoolExecutor(1, thread_name_prefix="dkim-signer")
        try:
            # A cheap look first: an idle worker polling takes no write lock.
            due = due_count(self.clock())
            while due and not (stop and stop.is_set()) and not result.connection_error:
                with write_transaction():
                    batch = claim_batch(self.owner, self.clock(), self.policy)
                if not batch:
                    break
                self._deliver_batch(batch, result, stop)
        finally:
            if self._signer is not None:
                self._signer.shutdown(cancel_futures=True)
                self._signer = None
            self.transport.close()
            # End the read transaction (SQLite WAL: an open reader holds back checkpoints).
            db.session.rollback()
        return result

    def work(self, stop: threading.Event, poll_seconds: float, report=None) -> None:
        """Keep delivering until stopped; wait longer while the server cannot be reached."""
        pause = poll_seconds
        while not stop.is_set():
            result = self.deliver_due(stop)
            if report and (
                result.sent or result.retried or result.failed or result.connection_error
            ):
                report(result)
            pause = min(pause * 2, 60.0) if result.connection_error else poll_seconds
            stop.wait(pause)

    def _deliver_batch(
        self, batch: list[Outgoing], result: PassResult, stop: threading.Event | None
    ) -> None:
        # If this raises (a crash), accepted messages not yet recorded stay leased and are
        # sent again, with the same Message-ID, once the lease runs out.
        accepted = _Accepted()
        # Messages being prepared, in order: up to SIGN_AHEAD ahead of the one being sent.
        upcoming = collections.deque(self._prepare(m) for m in batch[: SIGN_AHEAD + 1])
        for index, message in enumerate(batch):
            now = self.clock()
            if (stop and stop.is_set()) or now >= message.lease_expires_at - LEASE_MARGIN:
                self._record_sent(accepted)
                self._release(batch[index:], now)
                return
            prepared = upcoming.popleft()
            if index + SIGN_AHEAD + 1 < len(batch):
                upcoming.append(self._prepare(batch[index + SIGN_AHEAD + 1]))
            try:
                data = prepared()
            except (HeaderInjectionError, ValueError) as error:
                self._settle([message], mark_failed, message.id, str(error), now)
                result.failed += 1
                continue
            started = time.monotonic()
            try:
                self.transport.send(message.sender, message.recipient, data)
            except DeliveryError as error:
                self._record_sent(accepted)
                if error.connection:
                    result.connection_error = error.answer
                    self._retry_all(batch[index:], error.answer)
                    return
                if self._settle_failure(message, error):
                    result.failed += 1
                else:
                    result.retried += 1
                continue
            accepted.add(message, started)
            result.sent += 1
            if accepted.due(self.policy):
                self._record_sent(accepted)
        self._record_sent(accepted)

    def _prepare(self, message: Outgoing) -> Callable[[], bytes]:
        """Return a call that gives the message's bytes as sent: dated and, if set, signed.

        Signing starts at once on the signer thread, so it overlaps the SMTP conversation of
        the message before (OpenSSL lets go of the GIL while it signs). Only this thread
        sends, in order; a message prepared but not sent (the pass stopped) is dropped.
        """
        if self._signer is None:
            return lambda: self._message_bytes(message)
        return self._signer.submit(self._message_bytes, message).result

    def _message_bytes(self, message: Outgoing) -> bytes:
        return dkim_sign(stamp_message(message.message_bytes(), self.clock()), self.settings)

    def _record_sent(self, accepted: _Accepted) -> None:
        """Record the messages the server accepted since the last record, in one transaction."""
        if accepted.messages:
            messages = accepted.take()
            # Losing this record to a database crash only means a re-send with the same
            # Message-ID, as after a worker crash: no need to wait for the disk.
            self._settle(
                messages, mark_sent, [m.id for m in messages], self.clock(), fast_commit=True
            )

    def _settle(
        self,
        messages: list[Outgoing],
        record: Callable[..., object],
        *args,
        fast_commit: bool = False,
    ) -> None:
        """Record an outcome; once a letter is settled, its submission may get its copy."""
        with write_transaction():
            if fast_commit:
                commit_without_waiting_for_disk()
            record(*args)
            submissions = {
                m.submission_id
                for m in messages
                if m.kind == MessageKind.LETTER.value and m.submission_id
            }
            for submission_id in sorted(submissions):
                queue_copy_when_delivered(submission_id, self.settings, self.clock())

    def _settle_failure(self, message: Outgoing, error: DeliveryError) -> bool:
        """Record a refusal; return True when the message failed for good."""
        now = self.clock()
        if error.permanent or self.policy.gives_up(message.first_deferred_at, now):
            reason = (
                error.answer
                if error.permanent
                else (
                    f"gave up after {message.attempts} attempts over "
                    f"{(now - message.first_deferred_at).days} days: {error.answer}"
                )
            )
            self._settle([message], mark_failed, message.id, reason, now, error.permanent)
            return True
        retry_at = now + self.policy.backoff(message.attempts)
        with write_transaction():
            if message.kind == MessageKind.LETTER.value:
                # Back through the throttle, so that a retry never crowds a target's inbox.
                action = db.session.get(Action, message.action_id)
                retry_at = reserve_slot(message.recipient, retry_at, action.mail_rate_per_hour)
            mark_retry(message.id, error.answer, retry_at, now)
        return False

    def _retry_all(self, messages: list[Outgoing], reason: str) -> None:
        """Put back what the server never answered for: no attempt spent, no window started."""
        now = self.clock()
        with write_transaction():
            for message in messages:
                wait = min(self.policy.backoff(message.attempts), CONNECTION_RETRY_MAX)
                mark_unreached(message.id, reason, now + wait)

    def _release(self, messages: list[Outgoing], now: datetime) -> None:
        with write_transaction():
            for message in messages:
                release(message.id, self.owner, now)
