"""Counters and rollups stay exact as letters are recorded and move between statuses."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from actionapp.campaigns.actions import primary_targets
from actionapp.extensions import db
from actionapp.letters.compose import SupporterDetails
from actionapp.letters.record import NewSubmission, mark_printed, move_letters
from actionapp.models import Channel, Letter, LetterRollup, LetterStatus, utcnow
from actionapp.stats.counts import action_counts, bump, counter_values
from tests.builders import embassy_fields, make_action, submit_letters, target_fields


@pytest.fixture
def action(app):
    """Two primary targets with email addresses; UK and French embassy copies."""
    built = make_action(
        targets=[
            target_fields(email="wei@example.org"),
            target_fields("Judge Li", email="li@example.org"),
            embassy_fields("GB"),
            embassy_fields("FR"),
        ]
    )
    db.session.commit()
    return built


def _submit(
    action, channel=Channel.PRINT, key="key-0000000000000001", country="GB", downloaded=True
):
    """Record a submission; print letters as their PDF was downloaded, unless told not to."""
    details = SupporterDetails(
        name="Ana",
        city="Porto",
        country=country,
        language="en",
        variant="release",
        target_ids=[t.id for t in primary_targets(action)],
        seed=key,
    )
    new = NewSubmission(details=details, channel=channel, client_key=key, consent_text="ok")
    submission = submit_letters(action, new, utcnow())
    if channel == Channel.PRINT and downloaded:
        mark_printed(submission, utcnow())
    db.session.commit()
    return submission


def _rollup_total(action_id, **where):
    query = select(func.coalesce(func.sum(LetterRollup.count), 0)).where(
        LetterRollup.action_id == action_id
    )
    for column, value in where.items():
        query = query.where(getattr(LetterRollup, column) == value)
    return db.session.scalar(query)


def test_counts_start_at_zero(action):
    counts = action_counts(action.id)
    assert (counts.supporters, counts.letters) == (0, 0)
    assert counts.by_channel == {"email": 0, "mailto": 0, "print": 0, "event": 0}


def test_printed_letters_count_once_their_pdf_is_first_downloaded(action):
    submission = _submit(action, downloaded=False)
    counts = action_counts(action.id)
    assert (counts.supporters, counts.letters) == (0, 0)
    assert counts.by_status["print"] == {"to_print": 3}
    assert mark_printed(submission, utcnow()) == 3
    db.session.commit()
    counts = action_counts(action.id)
    assert (counts.supporters, counts.letters, counts.by_channel["print"]) == (1, 3, 3)
    assert _rollup_total(action.id, channel="print", status="printed") == 3
    assert _rollup_total(action.id, country="GB") == 3
    assert mark_printed(submission, utcnow()) == 0


def test_email_letters_count_only_once_confirmed(action):
    submission = _submit(action, channel=Channel.EMAIL)
    counts = action_counts(action.id)
    assert (counts.supporters, counts.letters) == (0, 0)
    assert counts.by_status["email"] == {"awaiting_confirmation": 3}
    moved = move_letters(submission, submission.letters, LetterStatus.CONFIRMED, utcnow())
    db.session.commit()
    assert moved == 3
    counts = action_counts(action.id)
    assert (counts.supporters, counts.letters) == (1, 3)
    assert counts.by_status["email"] == {"awaiting_confirmation": 0, "confirmed": 3}
    assert _rollup_total(action.id, status="awaiting_confirmation") == 0
    assert _rollup_total(action.id, status="confirmed") == 3


def test_moving_twice_counts_once(action):
    submission = _submit(action, channel=Channel.MAILTO)
    move_letters(submission, submission.letters, LetterStatus.SENT, utcnow())
    assert move_letters(submission, submission.letters, LetterStatus.SENT, utcnow()) == 0
    db.session.commit()
    counts = action_counts(action.id)
    assert (counts.supporters, counts.letters, counts.by_channel["mailto"]) == (1, 3, 3)


def test_posting_keeps_print_total_and_splits_statuses(action):
    submission = _submit(action)
    move_letters(submission, submission.letters[:1], LetterStatus.POSTED, utcnow())
    db.session.commit()
    counts = action_counts(action.id)
    assert counts.supporters == 1 and counts.by_channel["print"] == 3
    assert counts.by_status["print"] == {"to_print": 0, "printed": 2, "posted": 1}


def test_counters_sum_their_slots(action):
    bump(action.id, {"supporters": 2})
    bump(action.id, {"supporters": 3, "letters:print:printed": 1})
    db.session.commit()
    assert counter_values(action.id) == {"supporters": 5, "letters:print:printed": 1}


def test_counts_equal_letters_in_the_database(action):
    for n in range(5):
        _submit(action, key=f"key-{n:016d}", country="FR" if n % 2 else "BR")
    letters = db.session.scalar(select(func.count(Letter.id)))
    counts = action_counts(action.id)
    assert counts.letters == letters == 2 * 3 + 3 * 2  # FR has an embassy copy, BR none
    assert counts.supporters == 5
    assert _rollup_total(action.id) == letters
