"""Deliveries: the worker claims due messages from the outbox, settles them, and sums them up.

Services here flush; the worker owns the transaction (see actionapp.email.worker).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text, update

from actionapp.database import is_sqlite
from actionapp.email.outbox import WAITING, Template, expand_template
from actionapp.extensions import db
from actionapp.models import (
    MessageStatus,
    OutboxContent,
    OutboxMessage,
    OutboxTemplate,
)


@dataclass(frozen=True)
class DeliveryPolicy:
    """How the worker claims and retries."""

    batch_size: int = 100
    lease_seconds: int = 300
    retry_window: timedelta = timedelta(days=5)
    retry_seconds: int = 60
    retry_max_seconds: int = 6 * 3600
    # Accepted messages recorded per transaction at most (see actionapp.email.worker).
    record_every: int = 20

    @classmethod
    def from_config(cls, config) -> DeliveryPolicy:
        """Read the OUTBOX_* settings."""
        return cls(
            batch_size=int(config["OUTBOX_BATCH_SIZE"]),
            lease_seconds=int(config["OUTBOX_LEASE_SECONDS"]),
            retry_window=timedelta(days=float(config["OUTBOX_RETRY_DAYS"])),
            retry_seconds=int(config["OUTBOX_RETRY_SECONDS"]),
            retry_max_seconds=int(config["OUTBOX_RETRY_MAX_SECONDS"]),
            record_every=max(int(config["OUTBOX_RECORD_EVERY"]), 1),
        )

    def backoff(self, attempts: int) -> timedelta:
        """Return how long to wait after the given number of failed attempts (doubling)."""
        seconds = self.retry_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.retry_max_seconds))

    def gives_up(self, first_deferred_at: datetime | None, now: datetime) -> bool:
        """Tell whether a temporarily refused message has been retried for the whole window."""
        return first_deferred_at is not None and now - first_deferred_at >= self.retry_window


@dataclass(frozen=True)
class Outgoing:
    """A claimed message as plain values (safe to use after the claim is committed)."""

    id: int
    kind: str
    action_id: int
    submission_id: int | None
    letter_id: int | None
    sender: str
    recipient: str
    message_id: str
    mime: bytes
    attempts: int
    lease_expires_at: datetime
    first_deferred_at: datetime | None = None
    # A message to many: built from its template when sent (mime is then empty).
    template: Template | None = None
    link: str = ""

    def message_bytes(self) -> bytes:
        """Return the message as queued (built from its template if it has one)."""
        if self.template is None:
            return self.mime
        return expand_template(self.template, self.recipient, self.message_id, self.link)


def due_count(now: datetime) -> int:
    """Return how many messages are due now (a cheap look before connecting anywhere)."""
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.status.in_(WAITING), OutboxMessage.next_attempt_at <= now
        )
    )


def claim_batch(owner: str, now: datetime, policy: DeliveryPolicy) -> list[Outgoing]:
    """Lease the next due messages to one worker and count the attempt; flush.

    Due: queued and due, or leased by a worker whose lease ran out (it crashed). PostgreSQL
    skips rows another worker is claiming (FOR UPDATE SKIP LOCKED); SQLite claims inside a
    write transaction, one worker at a time, and the lease keeps the claim after commit.
    """
    rows = db.session.execute(_due_query(now, policy.batch_size)).all()
    if not rows:
        return []
    expires = now + timedelta(seconds=policy.lease_seconds)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([row.id for row in rows]))
        .values(
            status=MessageStatus.SENDING,
            attempts=OutboxMessage.attempts + 1,
            lease_owner=owner,
            lease_expires_at=expires,
            next_attempt_at=expires,
        )
        .execution_options(synchronize_session=False)
    )
    return [_outgoing(row, expires) for row in rows]


def _due_query(now: datetime, limit: int):
    """Select the due messages with their content or template, oldest due first."""
    query = (
        select(
            OutboxMessage.id,
            OutboxMessage.kind,
            OutboxMessage.action_id,
            OutboxMessage.submission_id,
            OutboxMessage.letter_id,
            OutboxMessage.sender,
            OutboxMessage.recipient,
            OutboxMessage.message_id,
            OutboxMessage.attempts,
            OutboxMessage.first_deferred_at,
            OutboxMessage.link,
            OutboxContent.mime,
            OutboxTemplate.headers,
            OutboxTemplate.body_text,
            OutboxTemplate.language,
            OutboxTemplate.link_prefix,
        )
        .outerjoin(OutboxContent, OutboxContent.id == OutboxMessage.id)
        .outerjoin(OutboxTemplate, OutboxTemplate.id == OutboxMessage.template_id)
        .where(OutboxMessage.status.in_(WAITING), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if not is_sqlite():
        query = query.with_for_update(of=OutboxMessage, skip_locked=True)
    return query


def _outgoing(row, expires: datetime) -> Outgoing:
    """Return a claimed row as plain values, its attempt counted."""
    return Outgoing(
        id=row.id,
        kind=row.kind.value,
        action_id=row.action_id,
        submission_id=row.submission_id,
        letter_id=row.letter_id,
        sender=row.sender,
        recipient=row.recipient,
        message_id=row.message_id,
        mime=(row.mime or "").encode("ascii"),
        attempts=row.attempts + 1,
        lease_expires_at=expires,
        first_deferred_at=row.first_deferred_at,
        template=None
        if row.mime is not None or row.headers is None
        else Template(row.headers, row.body_text, row.language, row.link_prefix),
        link=row.link,
    )


def commit_without_waiting_for_disk() -> None:
    """On PostgreSQL, let the current transaction commit without waiting for its WAL flush.

    Only for records whose loss in a database crash does no harm beyond what a worker crash
    does anyway. SQLite (WAL, synchronous=NORMAL) does not wait for the disk on commit.
    """
    if not is_sqlite():
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def mark_sent(message_ids: list[int], now: datetime) -> int:
    """Record that the server accepted these messages; return how many were not yet recorded."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status != MessageStatus.SENT)
        .values(
            status=MessageStatus.SENT,
            sent_at=now,
            last_error="",
            lease_owner=None,
            lease_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def mark_retry(message_id: int, error: str, retry_at: datetime, now: datetime) -> None:
    """Put a message back in the queue after the server refused it for now (4xx)."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == MessageStatus.SENDING)
        .values(
            status=MessageStatus.QUEUED,
            next_attempt_at=retry_at,
            first_deferred_at=func.coalesce(OutboxMessage.first_deferred_at, now),
            last_error=error[:2000],
            lease_owner=None,
            lease_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )


def mark_unreached(message_id: int, error: str, retry_at: datetime) -> None:
    """Put a message back unsent when the server could not be reached: no attempt counted."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == MessageStatus.SENDING)
        .values(
            status=MessageStatus.QUEUED,
            attempts=OutboxMessage.attempts - 1,
            next_attempt_at=retry_at,
            last_error=error[:2000],
            lease_owner=None,
            lease_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )


def mark_failed(message_id: int, error: str, now: datetime, bounced: bool = False) -> None:
    """Give up on a message for good, keeping the server's answer (bounced: a 5xx refusal)."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status != MessageStatus.SENT)
        .values(
            status=MessageStatus.FAILED,
            bounced=bounced,
            next_attempt_at=now,
            last_error=error[:2000],
            lease_owner=None,
            lease_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )


def release(message_id: int, owner: str, now: datetime) -> None:
    """Hand back a claimed message unsent (its lease was running out), the attempt uncounted."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == MessageStatus.SENDING,
            OutboxMessage.lease_owner == owner,
        )
        .values(
            status=MessageStatus.QUEUED,
            attempts=OutboxMessage.attempts - 1,
            next_attempt_at=now,
            lease_owner=None,
            lease_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class OutboxSummary:
    """What `flask outbox status` shows."""

    by_status: dict[str, int]
    due_now: int
    oldest_waiting: datetime | None
    next_due: datetime | None
    retrying: list[OutboxMessage]
    failed: list[OutboxMessage]


def outbox_summary(now: datetime, limit: int = 20) -> OutboxSummary:
    """Return counts per status, what waits and why, and the latest failures with reasons."""
    counts = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(
                OutboxMessage.status
            )
        ).all()
    )
    waiting = OutboxMessage.status.in_(WAITING)
    oldest, next_due = db.session.execute(
        select(func.min(OutboxMessage.created_at), func.min(OutboxMessage.next_attempt_at)).where(
            waiting
        )
    ).one()
    retrying = db.session.scalars(
        select(OutboxMessage)
        .where(waiting, OutboxMessage.last_error != "")
        .order_by(OutboxMessage.next_attempt_at)
        .limit(limit)
    ).all()
    failed = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.FAILED)
        .order_by(OutboxMessage.next_attempt_at.desc())
        .limit(limit)
    ).all()
    return OutboxSummary(
        by_status={status.value: int(counts.get(status, 0)) for status in MessageStatus},
        due_now=due_count(now),
        oldest_waiting=oldest,
        next_due=next_due,
        retrying=list(retrying),
        failed=list(failed),
    )
