"""One rule for finishing a letter after the deadline: email confirmation, "I've sent it" and
"I posted it" alike may follow a letter begun before the deadline for CONFIRM_DAYS (7) days."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from actionapp.campaigns.actions import FollowUp, letter_follow_up
from actionapp.extensions import db
from actionapp.models import (
    ActionStatus,
    LetterStatus,
    MessageKind,
    OutboxMessage,
    Submission,
    utcnow,
)
from tests.builders import make_chinese_case
from tests.realworld import supporters

DONE = {"email": LetterStatus.CONFIRMED, "mailto": LetterStatus.SENT, "print": LetterStatus.POSTED}
CHANNELS = tuple(DONE)
WINDOW = timedelta(days=7)


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def _write(post_letter, action, channel, **details):
    """Write a letter now; return its submission and the URL that finishes it."""
    response = post_letter(action, channel=channel, **details)
    assert response.status_code == 303
    submission = db.session.scalars(select(Submission)).one()
    if channel == "email":
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == MessageKind.CONFIRMATION)
        ).one()
        token = re.search(r"/confirm/([A-Za-z0-9_-]+)", message.content.body_text)[1]
        return submission, f"/confirm/{token}", {}
    if channel == "mailto":
        url = f"/actions/{action.slug}/thanks/{submission.public_token}/sent"
        return submission, url, {"letter": "all"}
    return submission, f"/actions/{action.slug}/posted/{submission.public_token}", {}


def _age(submission, action, written_ago: timedelta, deadline_ago: timedelta) -> None:
    """Move a letter and its action's deadline into the past, as if time had passed."""
    now = utcnow()
    submission.created_at = now - written_ago
    if submission.confirm_expires_at is not None:
        submission.confirm_expires_at = submission.created_at + WINDOW
    action.deadline = now - deadline_ago
    db.session.commit()


def _statuses(submission) -> set[LetterStatus]:
    db.session.expire_all()
    return {letter.status for letter in db.session.get(Submission, submission.id).letters}


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_letter_begun_before_the_deadline_counts_within_the_window(
    client, post_letter, action, channel
):
    submission, url, data = _write(post_letter, action, channel)
    # Written two days ago, one day before the deadline, which passed yesterday.
    _age(submission, action, written_ago=timedelta(days=2), deadline_ago=timedelta(days=1))
    if channel == "email":
        assert client.get(url).status_code == 200  # the Confirm button, not "closed"
    response = client.post(url, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert _statuses(submission) == {DONE[channel]}
    assert db.session.get(Submission, submission.id).counted_at is not None


@pytest.mark.parametrize("channel", CHANNELS)
def test_after_the_window_every_channel_answers_410_and_counts_nothing(
    client, post_letter, action, channel
):
    submission, url, data = _write(post_letter, action, channel)
    before = _statuses(submission)
    _age(
        submission,
        action,
        written_ago=WINDOW + timedelta(minutes=1),
        deadline_ago=WINDOW,
    )
    response = client.post(url, data=data)
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "7 days" in page and "Nothing was" in page
    assert _statuses(submission) == before
    if channel == "email":
        assert client.get(url).status_code == 410


@pytest.mark.parametrize("channel", CHANNELS)
def test_an_action_closed_by_its_organisers_counts_nothing_more(
    client, post_letter, action, channel
):
    submission, url, data = _write(post_letter, action, channel)
    before = _statuses(submission)
    action.status = ActionStatus.CLOSED
    db.session.commit()
    response = client.post(url, data=data)
    assert response.status_code == 410
    assert "closed" in response.get_data(as_text=True)
    assert _statuses(submission) == before


@pytest.mark.parametrize("channel", CHANNELS)
def test_within_the_window_before_the_deadline_too(client, post_letter, action, channel):
    submission, url, data = _write(post_letter, action, channel)
    _age(submission, action, written_ago=WINDOW - timedelta(minutes=1), deadline_ago=-WINDOW)
    assert client.post(url, data=data).status_code == 303
    assert _statuses(submission) == {DONE[channel]}


ZONED = [p for p in supporters() if p.get("timezone")]


@pytest.mark.parametrize("person", ZONED, ids=[p["timezone"] for p in ZONED])
def test_supporters_at_both_ends_of_the_day_meet_the_same_instant(person):
    """UTC+14 and UTC-11: the deadline is one instant; local dates differ by up to a day."""
    assert {p["timezone"] for p in ZONED} >= {"Pacific/Kiritimati", "Pacific/Niue"}
    zone = ZoneInfo(person["timezone"])
    deadline = datetime(2026, 11, 30, 23, 59)  # stored naive UTC, as the app stores it
    local_deadline = deadline.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)

    def at(local: datetime) -> datetime:
        return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    just_before = at(local_deadline - timedelta(minutes=1))
    just_after = at(local_deadline + timedelta(minutes=1))
    live = ActionStatus.LIVE
    # Begun a minute before the deadline (their local clock): may be finished for 7 days.
    for now in (just_after, just_before + WINDOW):
        assert letter_follow_up(live, deadline, just_before, just_before + WINDOW, now) == (
            FollowUp.OPEN
        )
    late = just_before + WINDOW + timedelta(seconds=1)
    assert letter_follow_up(live, deadline, just_before, just_before + WINDOW, late) == (
        FollowUp.EXPIRED
    )
    # Begun a minute after it: never (the composer refuses it; the rule agrees).
    assert letter_follow_up(live, deadline, just_after, just_after + WINDOW, just_after) == (
        FollowUp.CLOSED
    )


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("person", ZONED, ids=[p["timezone"] for p in ZONED])
def test_time_zone_supporters_finish_a_letter_begun_a_minute_before_the_deadline(
    client, post_letter, action, person, channel
):
    """UTC+14 and UTC-11 supporters through every channel: the server's one instant decides."""
    details = {
        "name": person["name"],
        "street_address": person.get("street", ""),
        "city": person["city"],
        "country": person["country"],
        "email": person["email"],
    }
    submission, url, data = _write(post_letter, action, channel, **details)
    # Written at 23:58 of the deadline day (UTC), finished at 00:01 the next day.
    _age(submission, action, written_ago=timedelta(minutes=3), deadline_ago=timedelta(minutes=2))
    assert client.post(url, data=data).status_code == 303
    assert _statuses(submission) == {DONE[channel]}
