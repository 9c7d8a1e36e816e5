"""The outbox: queue messages with what caused them (deliveries.py claims and settles them).

Services here add and flush; the caller owns the transaction (a view queuing, the worker
claiming and settling: see actionapp.email.worker).
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from actionapp.database import insert_with_conflicts, is_sqlite
from actionapp.email.addresses import email_lookup_key
from actionapp.email.messages import ascii_address, build_message, check_header_value
from actionapp.extensions import db
from actionapp.models import (
    MailSlot,
    MessageKind,
    MessageStatus,
    OutboxContent,
    OutboxMessage,
    OutboxTemplate,
)

WAITING = (MessageStatus.QUEUED, MessageStatus.SENDING)


def queue_message(
    *,
    kind: MessageKind,
    action_id: int,
    dedupe_key: str,
    sender: str,
    recipient: str,
    message_id: str,
    headers: Sequence[tuple[str, str]],
    body_text: str,
    now: datetime,
    submission_id: int | None = None,
    letter_id: int | None = None,
    not_before: datetime | None = None,
    language: str = "",
    link_prefix: str = "",
) -> OutboxMessage:
    """Add a message to the outbox (once per dedupe key), built and checked now.

    link_prefix: links to our own site in the text become live in the HTML part.
    """
    existing = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
    )
    if existing is not None:
        return existing
    checked = [[check_header_value("name", name), check_header_value(name, value)]
               for name, value in headers]  # fmt: skip
    check_header_value("Message-ID", message_id)
    mime = build_message([*checked, ["Message-ID", message_id]], body_text, language, link_prefix)
    message = OutboxMessage(
        kind=kind,
        action_id=action_id,
        submission_id=submission_id,
        letter_id=letter_id,
        dedupe_key=dedupe_key,
        sender=ascii_address(sender),
        recipient=ascii_address(recipient),
        message_id=message_id,
        content=OutboxContent(headers=checked, body_text=body_text, mime=mime.decode("ascii")),
        status=MessageStatus.QUEUED,
        next_attempt_at=max(now, not_before or now),
        created_at=now,
    )
    db.session.add(message)
    db.session.flush()
    return message


# Stand in a template for each recipient's own values: control characters, never in a value,
# neither NUL (PostgreSQL text cannot hold it) nor whitespace to str.strip().
TO_MARK = "\x01to\x01"
LINK_MARK = "\x01link\x01"
_SAMPLE_TO = "someone@example.org"
_SAMPLE_LINK = "https://example.org/sample"


@dataclass(frozen=True)
class Template:
    """A message to many, as the worker fills it in: headers, text, language, link prefix."""

    headers: list[list[str]]
    body_text: str
    language: str
    link_prefix: str


def _fill(value: str, recipient: str, link: str) -> str:
    return value.replace(TO_MARK, recipient).replace(LINK_MARK, link)


def expand_template(template: Template, recipient: str, message_id: str, link: str) -> bytes:
    """Return one recipient's message built from a template (the same bytes every time)."""
    headers = [[name, _fill(value, recipient, link)] for name, value in template.headers]
    boundary = "=_" + hashlib.sha256(message_id.encode()).hexdigest()[:32]
    return build_message(
        [*headers, ["Message-ID", message_id]],
        _fill(template.body_text, recipient, link),
        template.language,
        template.link_prefix,
        boundary=boundary,
    )


def add_template(
    headers: Sequence[Sequence[str]],
    body_text: str,
    language: str,
    link_prefix: str,
    now: datetime,
) -> int:
    """Check a template (built once with sample values) and store it; return its id (flushes).

    Raises HeaderInjectionError like queue_message for a header that cannot go out.
    """
    checked = [[check_header_value("name", name), value] for name, value in headers]
    template = Template(checked, body_text, language, link_prefix)
    sample = expand_template(template, _SAMPLE_TO, "<sample@example.org>", _SAMPLE_LINK)
    assert sample  # built: every header passed the checks with real values in place
    row = OutboxTemplate(headers=checked, body_text=body_text, language=language,
                         link_prefix=link_prefix, created_at=now)  # fmt: skip
    db.session.add(row)
    db.session.flush()
    return row.id


def queue_unsendable(
    *,
    kind: MessageKind,
    action_id: int,
    dedupe_key: str,
    sender: str,
    recipient: str,
    message_id: str,
    reason: str,
    now: datetime,
    submission_id: int | None = None,
    letter_id: int | None = None,
) -> OutboxMessage:
    """Record a message that cannot be built (a bad address or header) as failed, and why.

    Organisers see it among the failures; the supporter's request goes on undisturbed.
    """
    message = OutboxMessage(
        kind=kind,
        action_id=action_id,
        submission_id=submission_id,
        letter_id=letter_id,
        dedupe_key=dedupe_key,
        sender=sender[:254],
        recipient=recipient[:254],
        message_id=message_id,
        content=OutboxContent(headers=[], body_text="", mime=""),
        status=MessageStatus.FAILED,
        next_attempt_at=now,
        last_error=reason[:2000],
        created_at=now,
    )
    db.session.add(message)
    db.session.flush()
    return message


# Messages to supporters: a permanent refusal of one of these means the address is dead.
TO_SUPPORTERS = (MessageKind.CONFIRMATION, MessageKind.COPY, MessageKind.UPDATE,
                 MessageKind.REPLY_QUESTION)  # fmt: skip


def bounced_addresses() -> set[str]:
    """Return the supporter addresses a server refused for good (5xx): not mailed news again."""
    return set(
        db.session.scalars(
            select(OutboxMessage.recipient)
            .where(
                OutboxMessage.bounced.is_(True),
                OutboxMessage.kind.in_(TO_SUPPORTERS),
                OutboxMessage.recipient != "",
            )
            .distinct()
        )
    )


def is_bounced(email: str, bounced: set[str]) -> bool:
    """Tell whether a supporter's address is among the bounced ones (as the outbox wrote it)."""
    if not bounced:
        return False
    try:
        return ascii_address(email) in bounced
    except ValueError:
        return False


def _epoch(moment: datetime) -> int:
    return calendar.timegm(moment.timetuple())


def reserve_slot(recipient: str, earliest: datetime, per_hour: int) -> datetime:
    """Return the next send time for an address, at most per_hour an hour, spread evenly.

    One upsert: concurrent writers for the same address queue up on its row.
    """
    interval = max(3600 // max(per_hour, 1), 1)
    wanted = _epoch(earliest)
    sqlite = is_sqlite()
    insert = insert_with_conflicts()
    later = func.max if sqlite else func.greatest
    stmt = insert(MailSlot).values(recipient=email_lookup_key(recipient), last_slot=wanted)
    stmt = stmt.on_conflict_do_update(
        index_elements=["recipient"],
        set_={"last_slot": later(stmt.excluded.last_slot, MailSlot.last_slot + interval)},
    ).returning(MailSlot.last_slot)
    slot = db.session.execute(stmt).scalar_one()
    return datetime.fromtimestamp(slot, UTC).replace(tzinfo=None)
