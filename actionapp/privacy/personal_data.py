"""Supporters' personal data: removal on schedule, and answers to access and erasure requests.

What "removing personal data" means here, exactly:
- on the submission: name, email, street address, city, personal message and edited letter
  text are blanked, and personal_data_removed_at is set;
- on each of its letters: the body, the personal paragraph and the signature (name and
  place) are blanked, since they may hold the name, the town or the supporter's own words,
  and the hash of the sender's address;
- in the outbox: the stored text of every message about the submission (headers with the
  supporter's address, body) is deleted, the supporter's address as recipient blanked and
  every server answer (which often quotes the address) replaced; a message not yet sent is
  not sent any more;
- on event reports (on schedule, or when the host's contact is the address asked about): the
  host's name, contact, note and the event's city are blanked (the country stays);
- unsubscriptions from updates (kept by a hash of the address): deleted on erasure, and for
  the action on its purge; update emails are outbox messages of a submission (above);
- reply reports ("did an official reply?"): the supporter's note is blanked on purge (the
  answer stays, counted, like a letter's status); on erasure the report goes entirely;
- solidarity messages (services/solidarity_privacy.py): text, signature, first name and
  email blanked, on schedule with their action and on erasure of the address they were
  written with (or after an appeal written with it);
- kept: channel, status, language, the supporter's country, the target, subject, salutation
  and closing (the organisation's own words), timestamps, the consent text shown and the
  updates opt-in: the counts and statistics stay exact and the consent record stays provable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select, update

from actionapp.email.addresses import email_lookup_key
from actionapp.extensions import db
from actionapp.letters.record import sender_key
from actionapp.models import (
    Action,
    ActionStatus,
    EventReport,
    Letter,
    MessageKind,
    MessageStatus,
    OutboxContent,
    OutboxMessage,
    ReplyReport,
    SolidarityMessage,
    Submission,
    Target,
    Unsubscription,
)
from actionapp.solidarity.privacy import by_email, erase_messages, message_records

BLANKED = {
    "name": "",
    "email": None,
    "street_address": "",
    "city": "",
    "personal_message": "",
    "edited_body": None,
    "confirm_token_hash": None,
    "confirm_expires_at": None,
}
NOT_SENT = "Not sent: the supporter's personal data was removed first."
# Replaces a server's answer about a supporter's message: answers quote addresses and names.
ANSWER_REMOVED = "The server's answer was removed with the supporter's personal data."


def ended_at(action: Action, now: datetime) -> datetime | None:
    """Return when the action stopped taking letters, or None while it still takes them."""
    if action.status == ActionStatus.CLOSED and action.closed_at is not None:
        return min(action.closed_at, action.deadline)
    if action.status != ActionStatus.DRAFT and action.deadline <= now:
        return action.deadline
    return None


def purge_due_at(action: Action, now: datetime) -> datetime | None:
    """Return when the action's personal data is (or was) due for removal."""
    end = ended_at(action, now)
    return end + timedelta(days=action.retention_days) if end is not None else None


def _erase_mail(ids) -> None:
    """Remove the mail of these submissions: contents, unsent messages, answers, addresses."""
    quiet = {"synchronize_session": False}
    messages = select(OutboxMessage.id).where(OutboxMessage.submission_id.in_(ids))
    db.session.execute(
        delete(OutboxContent).where(OutboxContent.id.in_(messages)).execution_options(**quiet)
    )
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.submission_id.in_(ids),
            OutboxMessage.status.in_([MessageStatus.QUEUED, MessageStatus.SENDING]),
        )
        .values(status=MessageStatus.FAILED, last_error=NOT_SENT, lease_owner=None,
                lease_expires_at=None)
        .execution_options(**quiet)
    )  # fmt: skip
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.submission_id.in_(ids),
            OutboxMessage.last_error != "",
            OutboxMessage.last_error != NOT_SENT,
        )
        .values(last_error=ANSWER_REMOVED)
        .execution_options(**quiet)
    )
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.submission_id.in_(ids), OutboxMessage.kind != MessageKind.LETTER)
        .values(recipient="", link="")
        .execution_options(**quiet)
    )


def _erase(where: ColumnElement[bool], now: datetime) -> int:
    """Blank the personal data of the submissions matching `where`, their letters and mail."""
    ids = select(Submission.id).where(where, Submission.personal_data_removed_at.is_(None))
    quiet = {"synchronize_session": False}
    db.session.execute(
        update(Letter)
        .where(Letter.submission_id.in_(ids), (Letter.body != "") | Letter.sender_key.isnot(None))
        .values(
            body="", personal_message="", signature_name="", signature_place="", sender_key=None
        )
        .execution_options(**quiet)
    )
    _erase_mail(ids)
    db.session.execute(
        update(ReplyReport)
        .where(ReplyReport.submission_id.in_(ids), ReplyReport.note != "")
        .values(note="")
        .execution_options(**quiet)
    )
    result = db.session.execute(
        update(Submission)
        .where(where, Submission.personal_data_removed_at.is_(None))
        .values(**BLANKED, personal_data_removed_at=now)
        .execution_options(**quiet)
    )
    db.session.expire_all()
    return result.rowcount or 0


def _erase_event_hosts(where: ColumnElement[bool], now: datetime) -> int:
    """Blank the host's name, contact, note and city on the event reports matching `where`."""
    # The city of a small event can name its host; the country is kept for the statistics.
    result = db.session.execute(
        update(EventReport)
        .where(where, EventReport.personal_data_removed_at.is_(None))
        .values(host_name="", host_contact="", note="", city="", personal_data_removed_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


@dataclass(frozen=True)
class PurgeReport:
    """What a purge run did."""

    actions: int
    submissions: int


def purge_expired(now: datetime) -> PurgeReport:
    """Remove personal data of every action whose retention period is over (idempotent)."""
    actions = submissions = 0
    for action in db.session.scalars(select(Action).where(Action.status != ActionStatus.DRAFT)):
        due = purge_due_at(action, now)
        if due is None or due > now:
            continue
        removed = _erase(Submission.action_id == action.id, now)
        _erase_event_hosts(EventReport.action_id == action.id, now)
        erase_messages(SolidarityMessage.action_id == action.id, now)
        # Who unsubscribed from this action's updates: hashes of addresses no longer held.
        db.session.execute(delete(Unsubscription).where(Unsubscription.action_id == action.id))
        if removed:
            actions += 1
            submissions += removed
    return PurgeReport(actions=actions, submissions=submissions)


def submissions_for_email(email: str) -> list[Submission]:
    """Return every submission made with this email address, newest first."""
    address = email_lookup_key(email)
    if not address:
        return []
    return list(
        db.session.scalars(
            select(Submission)
            .where(Submission.email == address)
            .order_by(Submission.created_at.desc(), Submission.id.desc())
        )
    )


def _when(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


def subject_access_export(email: str, now: datetime) -> dict:
    """Return everything held about one email address, as JSON-ready data."""
    address = email_lookup_key(email)
    submissions = submissions_for_email(email)
    ids = [s.id for s in submissions]
    targets = {
        t.id: t
        for t in db.session.scalars(
            select(Target).where(
                Target.id.in_({letter.target_id for s in submissions for letter in s.letters})
            )
        )
    }
    reports = db.session.scalars(
        select(EventReport).where(func.lower(EventReport.host_contact) == address)
    ).all()
    messages: dict[int, list[OutboxMessage]] = {}
    for message in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.submission_id.in_(ids)).order_by(OutboxMessage.id)
    ):
        messages.setdefault(message.submission_id or 0, []).append(message)
    replies = {
        r.submission_id: r
        for r in db.session.scalars(select(ReplyReport).where(ReplyReport.submission_id.in_(ids)))
    }
    unsubscriptions = db.session.scalars(
        select(Unsubscription)
        .where(Unsubscription.address_key == sender_key(address))
        .order_by(Unsubscription.created_at)
    ).all()
    return {
        "email": address,
        "unsubscribed_from_updates": [
            {"scope": u.scope, "action_id": u.action_id, "at": _when(u.created_at)}
            for u in unsubscriptions
        ],
        "event_reports_as_host": [_event_report_record(r) for r in reports],
        "exported_at": _when(now),
        "solidarity_messages": message_records(address),
        "note": "Supporters who printed letters without giving an email address cannot be "
        "found by email.",
        "submissions": [
            _submission_record(s, targets, messages.get(s.id, []), replies.get(s.id))
            for s in submissions
        ],
    }


def _event_report_record(report: EventReport) -> dict:
    """Return an event report the address made as host."""
    return {
        "action": report.action.title,
        "held_on": report.held_on.isoformat(),
        "city": report.city,
        "country": report.country,
        "host_name": report.host_name,
        "host_contact": report.host_contact,
        "note": report.note,
        "letters": report.letters_total,
        "status": str(report.status),
        "reported_at": _when(report.created_at),
    }


def _submission_record(
    s: Submission,
    targets: dict[int, Target],
    messages: list[OutboxMessage],
    reply: ReplyReport | None,
) -> dict:
    """Return one submission with its letters, its emails and its reply report."""
    return {
        "action": s.action.title,
        "action_slug": s.action.slug,
        "created_at": _when(s.created_at),
        "channel": str(s.channel),
        "name": s.name,
        "email": s.email,
        "street_address": s.street_address,
        "city": s.city,
        "country": s.country,
        "language": s.language,
        "model_letter": s.variant,
        "edited_letter_text": s.edited_body,
        "personal_message": s.personal_message,
        "paper": s.paper,
        "consent": {
            "text_shown": s.consent_text,
            "given_at": _when(s.created_at),
            "updates_by_email": s.consent_updates,
        },
        "personal_data_removed_at": _when(s.personal_data_removed_at),
        "letters": [
            {
                "to": targets[letter.target_id].name if letter.target_id in targets else "",
                "channel": str(letter.channel),
                "status": str(letter.status),
                "language": letter.language,
                "subject": letter.subject,
                "salutation": letter.salutation,
                "body": letter.body,
                "closing": letter.closing,
                "created_at": _when(letter.created_at),
                "status_changed_at": _when(letter.status_changed_at),
            }
            for letter in s.letters
        ],
        "emails": [_email_record(m) for m in messages],
        "reply_reported": _reply_record(reply),
    }


def _reply_record(report: ReplyReport | None) -> dict | None:
    """Describe what the person reported about replies from officials, and when asked."""
    if report is None:
        return None
    return {
        "asked_at": _when(report.asked_at),
        "answer": str(report.answer) if report.answer else None,
        "note": report.note,
        "answered_at": _when(report.answered_at),
    }


def _headers_of(message: OutboxMessage) -> list[list[str]]:
    """Return a message's headers: its own, or its template's (a message to many)."""
    if message.content is not None:
        return message.content.headers
    return message.template.headers if message.template is not None else []


def _email_record(message: OutboxMessage) -> dict:
    """Describe one email sent to or for the person, with where its delivery stands."""
    subject = next(
        (value for name, value in _headers_of(message) if name.lower() == "subject"),
        "",
    )  # fmt: skip
    return {
        "kind": str(message.kind),
        "to": message.recipient,
        "subject": subject,
        "status": str(message.status),
        "attempts": message.attempts,
        "server_answer": message.last_error,
        "queued_at": _when(message.created_at),
        "sent_at": _when(message.sent_at),
        "letter_id": message.letter_id,
    }


def erase_email(email: str, now: datetime) -> int:
    """Remove the personal data held under this email; return how many records changed.

    Submissions made with it, and event reports whose host gave it as contact.
    """
    address = email_lookup_key(email)
    if not address:
        return 0
    hosts = _erase_event_hosts(func.lower(EventReport.host_contact) == address, now)
    unsubscribed = db.session.execute(
        delete(Unsubscription).where(Unsubscription.address_key == sender_key(address))
    ).rowcount
    # The answers go too: an erased supporter's report is theirs, not a statistic to keep.
    db.session.execute(
        delete(ReplyReport)
        .where(
            ReplyReport.submission_id.in_(select(Submission.id).where(Submission.email == address))
        )
        .execution_options(synchronize_session=False)
    )
    # Before the submissions are blanked: messages written after an appeal are found by it.
    messages = erase_messages(by_email(address), now)
    return _erase(Submission.email == address, now) + hosts + (unsubscribed or 0) + messages


@dataclass(frozen=True)
class ConsentRecord:
    """One consent text shown to supporters of an action, and how many agreed to it."""

    text: str
    submissions: int
    updates_opt_in: int
    first_at: datetime
    last_at: datetime


def consent_records(action_id: int) -> list[ConsentRecord]:
    """Return the consent texts supporters of an action agreed to, with how many did."""
    rows = db.session.execute(
        select(
            Submission.consent_text,
            func.count(Submission.id),
            func.sum(func.cast(Submission.consent_updates, db.Integer)),
            func.min(Submission.created_at),
            func.max(Submission.created_at),
        )
        .where(Submission.action_id == action_id)
        .group_by(Submission.consent_text)
        .order_by(func.min(Submission.created_at))
    )
    return [
        ConsentRecord(text, int(n), int(opt_in or 0), first, last)
        for text, n, opt_in, first, last in rows
    ]
