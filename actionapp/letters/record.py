"""Recording letters and moving them through their statuses, counters kept exact."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial

from sqlalchemy import bindparam, insert, select

from actionapp.campaigns.actions import action_state
from actionapp.database import insert_with_conflicts
from actionapp.email.addresses import email_lookup_key
from actionapp.extensions import db
from actionapp.letters.compose import LetterText, SupporterDetails
from actionapp.models import Action, Channel, Letter, LetterStatus, Submission
from actionapp.stats.counts import (
    SUPPORTERS,
    RollupKey,
    add_deltas,
    bump,
    bump_personal,
    bump_rollups,
    is_counted,
    letter_metric,
    personal_key,
    rollup_key,
)
from actionapp.web.i18n import country_name, localised_date


class ActionClosedError(Exception):
    """The action no longer takes letters."""


class NoRecipientsError(Exception):
    """No letter could be written: no target chosen, or none in a language we have."""


class NoEmailAddressError(NoRecipientsError):
    """None of the chosen targets has an email address: the letter cannot go by email."""


class AlreadyWrittenError(Exception):
    """This email address has already written to every chosen target of the action."""

    def __init__(self, target_names: list[str]):
        super().__init__(", ".join(target_names))
        self.target_names = target_names


@dataclass(frozen=True)
class NewSubmission:
    """What a supporter sends: their details, channel, paper and consent."""

    details: SupporterDetails
    channel: Channel
    client_key: str
    consent_text: str
    email: str | None = None
    consent_updates: bool = False
    paper: str = ""
    own_share: int | None = None  # percent of own words (services/coaching.py)


def initial_status(action: Action, channel: Channel) -> LetterStatus:
    """Return the status a new letter starts in."""
    if channel == Channel.EMAIL:
        if action.require_email_confirmation:
            return LetterStatus.AWAITING_CONFIRMATION
        return LetterStatus.CONFIRMED
    if channel == Channel.MAILTO:
        return LetterStatus.OPENED
    # Printed letters count once their PDF is downloaded (mark_printed).
    return LetterStatus.TO_PRINT


def submission_by_token(token: str, for_update: bool = False) -> Submission | None:
    """Return the submission behind a thank-you or download link.

    With for_update, lock its row (PostgreSQL) before changing its letters, so that two
    concurrent clicks cannot both move the same letters; on SQLite use write_transaction().
    """
    if not token or len(token) > 64:
        return None
    query = select(Submission).where(Submission.public_token == token)
    if for_update:
        query = query.with_for_update()
    return db.session.scalar(query)


def sender_key(email: str) -> str:
    """Return the key that tells one supporter address from another (a hash, not the address)."""
    return hashlib.sha256(email_lookup_key(email).encode()).hexdigest()


def already_written_to(action_id: int, key: str, target_ids: Iterable[int]) -> set[int]:
    """Return the targets this sender key already has a confirmed email letter to."""
    return set(
        db.session.scalars(
            select(Letter.target_id).where(
                Letter.action_id == action_id,
                Letter.sender_key == key,
                Letter.status == LetterStatus.CONFIRMED,
                Letter.target_id.in_(list(target_ids)),
            )
        )
    )


def _reachable(
    action: Action, new: NewSubmission, written: list[LetterText]
) -> tuple[list[LetterText], str | None]:
    """Keep the letters this channel can deliver: emails need a target address, and go once
    per supporter address, target and action (the unique index on letters backs this up)."""
    if new.channel not in (Channel.EMAIL, Channel.MAILTO):
        return written, None
    reachable = [letter for letter in written if letter.target.email]
    if written and not reachable:
        raise NoEmailAddressError(action.slug)
    if new.channel != Channel.EMAIL or not new.email:
        return reachable, None
    key = sender_key(new.email)
    done = already_written_to(action.id, key, [letter.target.id for letter in reachable])
    fresh = [letter for letter in reachable if letter.target.id not in done]
    if reachable and not fresh:
        raise AlreadyWrittenError([letter.target.name for letter in reachable])
    return fresh, key


@dataclass(frozen=True)
class RecordedSubmission:
    """What the composer needs of a recorded submission: its id and its public link token."""

    id: int
    public_token: str


def recorded_by_client_key(action_id: int, client_key: str) -> RecordedSubmission | None:
    """Return the submission a composer already sent, if any (double click, reload)."""
    row = (
        db.session.connection()
        .execute(_by_client_key_query(), {"action_id": action_id, "client_key": client_key})
        .first()
    )
    return RecordedSubmission(*row) if row else None


@lru_cache(maxsize=1)
def _by_client_key_query():
    return select(Submission.id, Submission.public_token).where(
        Submission.action_id == bindparam("action_id"),
        Submission.client_key == bindparam("client_key"),
    )


@lru_cache(maxsize=4)
def _insert_submission(dialect: str):
    insert_for = insert_with_conflicts(dialect)
    table = Submission.__table__
    return (
        insert_for(table)
        .on_conflict_do_nothing(index_elements=[table.c.action_id, table.c.client_key])
        .returning(table.c.id)
    )


def record_letters(
    action: Action, new: NewSubmission, written: list[LetterText], now: datetime
) -> RecordedSubmission:
    """Record a supporter's letters, one per recipient, and count them; idempotent per key.

    `written` comes from write_letters(); the caller writes them before taking the write lock
    and runs this in its transaction. The rows go in with Core inserts: this runs for every
    supporter, and the ORM's unit of work cost more than the database did.
    """
    if not action_state(action, now).accepting:
        raise ActionClosedError(action.slug)
    try:
        written, key = _reachable(action, new, written)
    except AlreadyWrittenError:
        # A reload of this very composer after its letters were confirmed: show its page.
        existing = recorded_by_client_key(action.id, new.client_key)
        if existing is None:
            raise
        return existing
    if not written:
        raise NoRecipientsError(action.slug)
    status = initial_status(action, new.channel)
    counted = is_counted(new.channel, status)
    token = secrets.token_urlsafe(32)
    submission_id = _insert_submission_row(action, new, token, now, counted)
    if submission_id is None:
        return recorded_by_client_key(action.id, new.client_key)
    _insert_letter_rows(submission_id, action, new, written, status, key, now)
    _count_letters(action, new, written, status, counted, now)
    return RecordedSubmission(submission_id, token)


def _insert_submission_row(
    action: Action, new: NewSubmission, token: str, now: datetime, counted: bool
) -> int | None:
    """Insert the submission row; None when this composer's key was already recorded."""
    details = new.details
    connection = db.session.connection()
    # One statement both records the submission and tells a repeated post of the same
    # composer (a double click, a reload) from a new one: it inserts nothing for a known key.
    return connection.execute(
        _insert_submission(connection.dialect.name),
        {
            "action_id": action.id,
            "public_token": token,
            "client_key": new.client_key,
            "channel": new.channel,
            "name": details.name,
            "email": new.email,
            "street_address": details.street_address,
            "city": details.city,
            "country": details.country,
            "language": details.language,
            "variant": details.variant,
            "edited_body": details.edited_body,
            "personal_message": details.personal_message,
            "paper": new.paper,
            "own_share": new.own_share,
            "consent_text": new.consent_text,
            "consent_updates": new.consent_updates,
            "created_at": now,
            "counted_at": now if counted else None,
        },
    ).scalar_one_or_none()


def _insert_letter_rows(
    submission_id: int,
    action: Action,
    new: NewSubmission,
    written: list[LetterText],
    status: LetterStatus,
    key: str | None,
    now: datetime,
) -> None:
    """Insert one letter row per recipient, each exactly as its target receives it."""
    db.session.connection().execute(
        insert(Letter.__table__),
        [
            {
                "submission_id": submission_id,
                "action_id": action.id,
                "target_id": letter.target.id,
                "channel": new.channel,
                "status": status,
                "language": letter.language,
                "subject": letter.subject,
                "salutation": letter.salutation,
                "body": letter.body,
                "closing": letter.closing,
                "personal_message": letter.personal_message,
                "signature_name": letter.signature_name,
                "signature_place": letter.signature_place,
                "date_text": letter.date_text,
                "supporter_country": new.details.country,
                "created_at": now,
                "status_changed_at": now,
                "sender_key": key,
            }
            for letter in written
        ],
    )


def _count_letters(
    action: Action,
    new: NewSubmission,
    written: list[LetterText],
    status: LetterStatus,
    counted: bool,
    now: datetime,
) -> None:
    """Add the new letters to the action's counters, rollups and personal-words figures."""
    deltas = {letter_metric(new.channel, status): len(written)}
    if counted:
        deltas[SUPPORTERS] = 1
    bump(action.id, deltas)
    rollup = partial(
        RollupKey,
        now.date(),
        now.hour,
        str(new.channel),
        str(status),
        country=new.details.country or "",
    )
    bump_rollups(
        action.id,
        add_deltas({}, ((rollup(target_id=w.target.id, language=w.language), 1) for w in written)),
    )
    bump_personal(action.id, {personal_key(now, new.channel, status, new.own_share): len(written)})


def letter_as_sent(letter: Letter) -> LetterText:
    """Return a recorded letter exactly as its target receives it, for every channel.

    Rows recorded before the letter's every part was kept (date_text NULL) are read the way
    they were sent then: the submission's paragraph (unless the text already holds it), its
    name and place, and the date the letter was written.
    """
    if letter.date_text is not None:
        return LetterText(
            target=letter.target,
            language=letter.language,
            date_text=letter.date_text,
            subject=letter.subject,
            salutation=letter.salutation,
            body=letter.body,
            personal_message=letter.personal_message or "",
            closing=letter.closing,
            signature_name=letter.signature_name or "",
            signature_place=letter.signature_place or "",
        )
    submission = letter.submission
    personal = submission.personal_message.strip()
    country = country_name(submission.country, letter.language) if submission.country else ""
    return LetterText(
        target=letter.target,
        language=letter.language,
        date_text=localised_date(letter.created_at.date(), letter.language, submission.country),
        subject=letter.subject,
        salutation=letter.salutation,
        body=letter.body,
        personal_message="" if personal and personal in letter.body else personal,
        closing=letter.closing,
        signature_name=submission.name,
        signature_place=", ".join(part for part in (submission.city, country) if part),
    )


def mark_printed(submission: Submission, now: datetime) -> int:
    """Count a print submission's letters as printed: on the first download of their PDF.

    A later download changes nothing; the caller holds the submission's lock.
    """
    waiting = [
        letter
        for letter in submission.letters
        if letter.channel == Channel.PRINT and letter.status == LetterStatus.TO_PRINT
    ]
    return move_letters(submission, waiting, LetterStatus.PRINTED, now)


def move_letters(
    submission: Submission, letters: Iterable[Letter], status: LetterStatus, now: datetime
) -> int:
    """Move letters to a new status and their counts with them; return how many moved."""
    deltas: dict[str, int] = {}
    rollups: dict = {}
    personal: dict = {}
    moved = 0
    for letter in letters:
        if letter.status == status:
            continue
        add_deltas(rollups, [(rollup_key(letter), -1), (rollup_key(letter, status), 1)])
        if submission.own_share is not None:
            add_deltas(
                personal,
                [
                    (personal_key(letter.created_at, letter.channel, s, submission.own_share), d)
                    for s, d in ((letter.status, -1), (status, 1))
                ],
            )
        add_deltas(
            deltas,
            [
                (letter_metric(letter.channel, letter.status), -1),
                (letter_metric(letter.channel, status), 1),
            ],
        )
        letter.status = status
        letter.status_changed_at = now
        moved += 1
    if (
        moved
        and submission.counted_at is None
        and any(is_counted(letter.channel, letter.status) for letter in submission.letters)
    ):
        submission.counted_at = now
        deltas[SUPPORTERS] = deltas.get(SUPPORTERS, 0) + 1
    bump(submission.action_id, deltas)
    bump_rollups(submission.action_id, rollups)
    bump_personal(submission.action_id, personal)
    db.session.flush()
    return moved
