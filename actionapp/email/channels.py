"""The email channels: the confirmation, the letters to the targets, the supporter's copy,
and the letters that leave from the supporter's own mail app (mailto:)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from actionapp.campaigns.actions import FollowUp, submission_follow_up
from actionapp.email.messages import (
    MAILTO_MAX_LENGTH,
    HeaderInjectionError,
    MailSettings,
    ascii_address,
    format_address,
    header_text,
    mailto_url,
    make_message_id,
)
from actionapp.email.outbox import queue_message, queue_unsendable, reserve_slot
from actionapp.extensions import db
from actionapp.letters.record import (
    ActionClosedError,
    already_written_to,
    letter_as_sent,
    move_letters,
    sender_key,
)
from actionapp.models import (
    Channel,
    Letter,
    LetterStatus,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Submission,
    Target,
)
from actionapp.web.i18n import letter_date
from actionapp.web.links import public_url_for


class ConfirmationExpiredError(Exception):
    """The confirmation link is older than its validity."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def submission_by_confirm_token(token: str, for_update: bool = False) -> Submission | None:
    """Return the submission a confirmation link belongs to (lock it with for_update)."""
    if not token or len(token) > 64:
        return None
    query = select(Submission).where(Submission.confirm_token_hash == _token_hash(token))
    if for_update:
        query = query.with_for_update()
    return db.session.scalar(query)


def letter_text(letter: Letter) -> str:
    """Return a recorded letter as plain text, exactly as its target reads it."""
    return letter_as_sent(letter).plain_text


def letter_subject(letter: Letter) -> str:
    """Return a letter's subject line (the action's title when the organiser gave none)."""
    return header_text(letter.subject or letter.submission.action.title)


def _render(template: str, language: str, **context) -> str:
    with force_locale(language):
        return render_template(template, **context).strip() + "\n"


def start_email_delivery(
    submission: Submission, settings: MailSettings, now: datetime, confirm_days: int = 7
) -> str | None:
    """Queue what an emailed submission needs next: the confirmation email, or the letters.

    Returns the confirmation token when one is made (the database keeps only its hash).
    Queuing twice (a double click) adds nothing.
    """
    awaiting = [
        ltr for ltr in submission.letters if ltr.status == LetterStatus.AWAITING_CONFIRMATION
    ]
    if awaiting:
        if submission.confirm_token_hash is not None:
            return None
        token = secrets.token_urlsafe(32)
        submission.confirm_token_hash = _token_hash(token)
        submission.confirm_expires_at = now + timedelta(days=confirm_days)
        _queue_confirmation(submission, token, settings, now)
        return token
    submission.confirmed_at = submission.confirmed_at or now
    confirmed = [ltr for ltr in submission.letters if ltr.status == LetterStatus.CONFIRMED]
    queue_letter_messages(submission, confirmed, settings, now)
    return None


def _queue_confirmation(
    submission: Submission, token: str, settings: MailSettings, now: datetime
) -> None:
    action = submission.action
    url = public_url_for("email.confirm_page", token=token)
    with force_locale(submission.language):
        subject = _("Please confirm your letters: %(title)s", title=header_text(action.title))
    body = _render(
        "emails/confirmation.txt",
        submission.language,
        submission=submission,
        action=action,
        url=url,
        expires=letter_date(submission.confirm_expires_at.date(), submission.language),
        organisation=settings.organisation_name,
    )
    _queue_to_supporter(
        submission, MessageKind.CONFIRMATION, "confirm", subject, body, settings, now
    )


def _queue_to_supporter(
    submission: Submission,
    kind: MessageKind,
    name: str,
    subject: str,
    body: str,
    settings: MailSettings,
    now: datetime,
):
    """Queue an automatic message from the organisation to the supporter."""
    return queue_message(
        kind=kind,
        action_id=submission.action_id,
        submission_id=submission.id,
        dedupe_key=f"{name}:{submission.id}",
        sender=settings.from_address,
        recipient=submission.email or "",
        message_id=make_message_id(settings.message_id_domain, name),
        headers=[
            ("From", settings.sender),
            ("To", format_address(submission.name, submission.email or "")),
            ("Subject", header_text(subject)),
            ("Auto-Submitted", "auto-generated"),
            ("Content-Language", submission.language),
        ],
        body_text=body,
        now=now,
        language=submission.language,
        link_prefix=settings.public_url,
    )


def _letter_headers(
    submission: Submission, letter: Letter, recipient: str, settings: MailSettings
) -> list[tuple[str, str]]:
    """Return a letter's headers: from us in the supporter's name, answers to the supporter."""
    return [
        ("From", settings.sender_as(submission.name)),
        ("To", format_address(header_text(letter.target.name), recipient)),
        ("Reply-To", format_address(submission.name, submission.email or "")),
        ("Subject", letter_subject(letter)),
        ("Content-Language", letter.language),
    ]


def _queue_letter(
    submission: Submission, letter: Letter, settings: MailSettings, now: datetime
) -> bool:
    """Queue one letter to its target; False if its address cannot be sent to (recorded)."""
    target = letter.target
    # What the message is, whether it can be sent or not.
    message = {
        "kind": MessageKind.LETTER,
        "action_id": submission.action_id,
        "submission_id": submission.id,
        "letter_id": letter.id,
        "dedupe_key": f"letter:{letter.id}",
        "sender": settings.from_address,
        "message_id": make_message_id(settings.message_id_domain, "letter"),
        "now": now,
    }
    try:
        recipient = ascii_address(target.email)
        headers = _letter_headers(submission, letter, recipient, settings)
    except HeaderInjectionError as error:
        # Stored before the target rules were shared, or changed since: one failed message
        # for organisers to see, never an error page for the supporter confirming.
        queue_unsendable(**message, recipient=target.email, reason=f"not sent: {error}")
        return False
    queue_message(
        **message,
        recipient=recipient,
        headers=headers,
        body_text=letter_text(letter) + "\n",
        language=letter.language,
        not_before=reserve_slot(recipient, now, submission.action.mail_rate_per_hour),
    )
    return True


def queue_letter_messages(
    submission: Submission, letters: Iterable[Letter], settings: MailSettings, now: datetime
) -> int:
    """Queue one message per confirmed letter to its target, throttled per address."""
    queued = 0
    unsendable = False
    for letter in letters:
        if not letter.target.email or db.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == f"letter:{letter.id}")
        ):
            # No address: record_letters never writes such an email letter; nothing to send.
            continue
        if _queue_letter(submission, letter, settings, now):
            queued += 1
        else:
            unsendable = True
    if unsendable:
        # No worker settles a message that never left: give the supporter their copy now if
        # nothing else is waiting.
        queue_copy_when_delivered(submission.id, settings, now)
    return queued


@dataclass(frozen=True)
class ConfirmResult:
    """What confirming did."""

    confirmed: int
    already_written: list[Target]


def confirm_submission(
    submission: Submission, settings: MailSettings, now: datetime
) -> ConfirmResult:
    """Confirm an emailed submission: its letters count and go to their targets.

    Letters to targets this address has already written to become duplicates (not counted).
    The caller holds the submission's lock (submission_by_confirm_token(for_update=True)).
    """
    if submission.confirmed_at is None:
        # The one rule for finishing a letter after it was written (services.actions): the
        # link's own expiry (written + CONFIRM_DAYS) applies, so no extra window here.
        follow_up = submission_follow_up(submission, now, timedelta(0))
        if follow_up == FollowUp.EXPIRED:
            raise ConfirmationExpiredError(submission.id)
        if follow_up == FollowUp.CLOSED:
            raise ActionClosedError(submission.action.slug)
    awaiting = [
        ltr for ltr in submission.letters if ltr.status == LetterStatus.AWAITING_CONFIRMATION
    ]
    key = next((ltr.sender_key for ltr in awaiting if ltr.sender_key), None)
    targets = [ltr.target_id for ltr in awaiting]
    done = already_written_to(submission.action_id, key, targets) if key else set()
    fresh = [ltr for ltr in awaiting if ltr.target_id not in done]
    moved = move_letters(submission, fresh, LetterStatus.CONFIRMED, now)
    # Another submission from this address reached these targets first (two tabs): these
    # letters are never sent and never counted, and say so instead of waiting for ever.
    move_letters(
        submission,
        [ltr for ltr in awaiting if ltr.target_id in done],
        LetterStatus.DUPLICATE,
        now,
    )
    submission.confirmed_at = submission.confirmed_at or now
    confirmed = [ltr for ltr in submission.letters if ltr.status == LetterStatus.CONFIRMED]
    queue_letter_messages(submission, confirmed, settings, now)
    return ConfirmResult(moved, [ltr.target for ltr in awaiting if ltr.target_id in done])


def queue_copy_when_delivered(
    submission_id: int, settings: MailSettings, now: datetime
) -> OutboxMessage | None:
    """Once every letter message of a submission is sent or failed, queue the supporter's copy.

    Locks the submission first, so that two workers settling its last two letters at once
    see each other's result and exactly one of them queues the copy.
    """
    submission = db.session.scalar(
        select(Submission).where(Submission.id == submission_id).with_for_update()
    )
    if submission is None or not submission.email:
        return None
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.submission_id == submission_id,
            OutboxMessage.kind == MessageKind.LETTER,
        )
        .order_by(OutboxMessage.id)
        # The worker has just settled one of these with an UPDATE: read them afresh.
        .execution_options(populate_existing=True)
    ).all()

    def sent_on(message: OutboxMessage) -> str:
        return letter_date((message.sent_at or now).date(), submission.language)

    if not messages or any(
        m.status in (MessageStatus.QUEUED, MessageStatus.SENDING) for m in messages
    ):
        return None
    action = submission.action
    with force_locale(submission.language):
        subject = _("Copy of your letters: %(title)s", title=header_text(action.title))
    body = _render(
        "emails/copy.txt",
        submission.language,
        submission=submission,
        action=action,
        sent=[
            (m, m.letter, letter_subject(m.letter), letter_text(m.letter), sent_on(m))
            for m in messages
            if m.letter and m.status == MessageStatus.SENT
        ],
        failed=[m for m in messages if m.status == MessageStatus.FAILED and m.letter],
        thanks_url=public_url_for("public.thanks", slug=action.slug, token=submission.public_token),
        organisation=settings.organisation_name,
    )
    return _queue_to_supporter(submission, MessageKind.COPY, "copy", subject, body, settings, now)


def mark_mailto_sent(submission: Submission, letter_ids: set[int] | None, now: datetime) -> int:
    """Count the mailto letters the supporter says they sent (all, or the given ones)."""
    letters = [
        ltr
        for ltr in submission.letters
        if ltr.channel == Channel.MAILTO
        and ltr.status == LetterStatus.OPENED
        and (letter_ids is None or ltr.id in letter_ids)
    ]
    return move_letters(submission, letters, LetterStatus.SENT, now)


@dataclass(frozen=True)
class MailtoLetter:
    """One letter ready for the supporter's own mail app."""

    letter: Letter
    to: list[str]
    subject: str
    body: str
    # The whole letter in one link, or None when that would be too long for mail apps.
    url: str | None
    # Addresses and subject only: the body is then pasted from the page.
    short_url: str


def mailto_letters(submission: Submission, counting_address: str = "") -> list[MailtoLetter]:
    """Return a mailto: link per letter (short enough for common mail apps) and its parts."""
    result = []
    for letter in submission.letters:
        if letter.channel != Channel.MAILTO or not letter.target.email:
            continue
        to = [letter.target.email]
        subject = letter_subject(letter)
        body = letter_text(letter)
        full = mailto_url(to, subject, body, counting_address)
        result.append(
            MailtoLetter(
                letter=letter,
                to=to,
                subject=subject,
                body=body,
                url=full if len(full) <= MAILTO_MAX_LENGTH else None,
                short_url=mailto_url(to, subject, "", counting_address),
            )
        )
    return result


@dataclass(frozen=True)
class EmailNotes:
    """What the preview tells a supporter before they choose to send by email."""

    no_address: list[Target]
    already_written: list[Target]


def email_notes(action, targets: list[Target], email: str) -> EmailNotes:
    """Tell which recipients cannot get email and which this address has written to already."""
    already: list[Target] = []
    if email:
        with_address = [target.id for target in targets if target.email]
        done = already_written_to(action.id, sender_key(email), with_address)
        already = [target for target in targets if target.id in done]
    return EmailNotes([target for target in targets if not target.email], already)
