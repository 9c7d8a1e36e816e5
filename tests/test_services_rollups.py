"""Folding past days' rollups into slot 0 (stats/rollups.py), called directly.

PostgreSQL writers spread a rollup over up to 8 slots; these tests put rows in several slots
as those writers do, on either database, and check that folding keeps every total.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from actionapp.campaigns.actions import primary_targets
from actionapp.extensions import db
from actionapp.letters.compose import SupporterDetails
from actionapp.letters.record import NewSubmission
from actionapp.models import Channel, LetterRollup, PersonalRollup, utcnow
from actionapp.stats.rollups import compact_day, days_to_compact
from actionapp.stats.statistics import DateRange, action_statistics
from tests.builders import build_action, submit_letters, target_fields


def _action_with_spread_rollups():
    """An action with today's letter, and a past day's rollups spread over three slots."""
    now = utcnow()
    action = build_action(now, targets=(target_fields(email="wei@example.org"),))
    target = primary_targets(action)[0]
    details = SupporterDetails(
        name="Ana", city="Porto", country="PT", language="en", variant="release",
        target_ids=[target.id], seed="k1",
    )  # fmt: skip
    new = NewSubmission(details=details, channel=Channel.EMAIL, client_key="k1", consent_text="ok")
    submit_letters(action, new, now)
    past = now.date() - timedelta(days=3)
    key = {"action_id": action.id, "day": past, "channel": "email", "status": "confirmed"}
    letter_key = {**key, "hour": 9, "target_id": target.id, "country": "PT", "language": "en"}
    for slot, count in ((0, 2), (3, 5), (7, 1)):
        db.session.add(LetterRollup(**letter_key, slot=slot, count=count))
        db.session.add(PersonalRollup(**key, personal=True, slot=slot, count=count))
    db.session.add(LetterRollup(**{**letter_key, "country": "FR"}, slot=5, count=4))
    db.session.commit()
    return action, past


def _rows(model, action_id):
    return db.session.execute(
        select(model.day, model.slot, model.count).where(model.action_id == action_id)
    ).all()


def _total(model, action_id):
    return db.session.scalar(select(func.sum(model.count)).where(model.action_id == action_id))


def test_only_past_days_with_rows_outside_slot_0_are_listed(app):
    action, past = _action_with_spread_rollups()
    assert days_to_compact(utcnow().date()) == [(action.id, past)]
    assert days_to_compact(past) == []


def test_folding_keeps_every_total_and_the_statistics(app):
    action, past = _action_with_spread_rollups()
    period = DateRange(past, utcnow().date())
    before = action_statistics(action, period)
    totals = (_total(LetterRollup, action.id), _total(PersonalRollup, action.id))
    # Letter rows: 3 slots of one key and 1 of another fold into 2; personal rows: 3 into 1.
    assert compact_day(action.id, past) == 2 + 2
    db.session.commit()
    assert (_total(LetterRollup, action.id), _total(PersonalRollup, action.id)) == totals
    letters = _rows(LetterRollup, action.id)
    past_rows = [(slot, count) for day, slot, count in letters if day == past]
    assert sorted(past_rows) == [(0, 4), (0, 8)]
    assert [(slot, count) for _day, slot, count in _rows(PersonalRollup, action.id)
            if _day == past] == [(0, 8)]  # fmt: skip
    assert action_statistics(action, period) == before
    assert before.by_country == (("PT", 9), ("FR", 4))
    assert days_to_compact(utcnow().date()) == []


def test_folding_a_day_twice_changes_nothing(app):
    action, past = _action_with_spread_rollups()
    compact_day(action.id, past)
    db.session.commit()
    rows = sorted(_rows(LetterRollup, action.id))
    assert compact_day(action.id, past) == 0
    assert sorted(_rows(LetterRollup, action.id)) == rows
