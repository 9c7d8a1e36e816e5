"""The test-data builders make what they say, through the editor's services."""

from __future__ import annotations

from actionapp.campaigns.actions import embassy_for, letter_languages, primary_targets
from actionapp.extensions import db
from actionapp.models import Action, ActionStatus
from actionapp.stats.counts import action_counts
from tests.builders import (
    embassy_fields,
    letter_fields,
    make_action,
    make_chinese_case,
    target_fields,
    zh_target_fields,
)


def test_the_action_fixture_is_small_live_and_committed(action):
    db.session.expire_all()
    stored = db.session.get(Action, action.id)
    assert stored.status == ActionStatus.LIVE and stored.language == "en"
    (target,) = primary_targets(stored)
    assert target.country == "GB" and target.language == "en"
    assert [(m.variant, m.language) for m in stored.model_letters] == [("release", "en")]
    assert embassy_for(stored, "GB") is None


def test_every_option_is_built(app):
    action = make_action(
        "Free Li",
        targets=[target_fields(), zh_target_fields(), embassy_fields("US")],
        letters=[letter_fields("en"), letter_fields("zh")],
        event_letters=7,
        outcome="released",
        closed=True,
    )
    db.session.commit()
    assert action.slug == "free-li" and action.title == "Free Li"
    assert [t.language for t in primary_targets(action)] == ["en", "zh"]
    assert embassy_for(action, "US").email == "embassy-us@example.org"
    assert letter_languages(action) == ["en", "zh"]
    assert action_counts(action.id).by_channel["event"] == 7
    assert [u.outcome for u in action.updates] == ["released"]
    assert action.status == ActionStatus.CLOSED and action.closed_at is not None


def test_an_action_in_another_language_gets_its_target_and_letter_in_it(app):
    action = make_action("释放安娜", language="zh")
    (target,) = primary_targets(action)
    assert target.language == "zh" and target.salutations == {"zh": "尊敬的部长："}
    assert letter_languages(action) == ["zh"]
    assert action.slug  # a title without Latin letters still gets an address


def test_two_cases_get_two_addresses_and_drafts_stay_drafts(app):
    first, second = make_chinese_case(), make_chinese_case(embassies=(), publish=False)
    assert first.slug != second.slug
    assert second.status == ActionStatus.DRAFT
    assert embassy_for(first, "GB") and embassy_for(second, "GB") is None
