"""Organiser statistics are exact: they equal the public API, a count of the letters, and ranges."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from actionapp.extensions import db
from actionapp.letters.record import move_letters
from actionapp.models import Channel, Letter, LetterStatus, utcnow
from actionapp.stats.counts import RollupKey, bump, bump_rollups
from actionapp.stats.statistics import (
    DateRange,
    action_statistics,
    daily_counts,
    dashboard_figures,
    default_range,
    delivery_status,
)
from actionapp.stats.vocabulary import COUNTED_STATUSES
from tests.bench.stats_data import populate
from tests.builders import make_chinese_case
from tests.fixtures_organise import add_letters


@pytest.fixture
def action(app):
    """Two targets in China with email addresses; UK, US, German and French embassy copies."""
    built = make_chinese_case(embassies=("GB", "US", "DE", "FR"))
    db.session.commit()
    return built


def _mixed_letters(action, now):
    """Letters in every channel and status, on several days and hours."""
    add_letters(action, Channel.PRINT, "GB", "p1", now - timedelta(days=3, hours=2))
    posted = add_letters(action, Channel.PRINT, "US", "p2", now - timedelta(days=1))
    move_letters(posted, posted.letters[:1], LetterStatus.POSTED, now)
    confirmed = add_letters(action, Channel.EMAIL, "DE", "mail1", now - timedelta(days=2))
    move_letters(confirmed, confirmed.letters, LetterStatus.CONFIRMED, now)
    add_letters(action, Channel.EMAIL, "FR", "mail2", now)  # awaiting confirmation
    sent = add_letters(action, Channel.MAILTO, "JP", "m1", now - timedelta(hours=5))
    move_letters(sent, sent.letters, LetterStatus.SENT, now)
    add_letters(action, Channel.MAILTO, "GB", "m2", now, language="zh")  # opened only
    db.session.commit()


def _api(client, action):
    return client.get(f"/api/v1/actions/{action.slug}").get_json()["counts"]


def test_whole_action_statistics_equal_the_public_api(client, action):
    now = utcnow()
    _mixed_letters(action, now)
    stats = action_statistics(action, default_range(action, now.date()))
    api = _api(client, action)
    assert stats.whole_action
    assert stats.letters == api["letters"] > 0
    assert dict(stats.by_channel) == api["by_channel"]
    assert stats.supporters == api["supporters"]
    for row in stats.by_channel_status:
        assert row.letters == api["by_status"].get(row.channel, {}).get(row.status, 0), row
        assert row.counted == (row.status in COUNTED_STATUSES.get(row.channel, ()))
    assert stats.letters_all == sum(sum(s.values()) for s in api["by_status"].values())


def test_breakdowns_equal_a_count_of_the_letters(action):
    now = utcnow()
    _mixed_letters(action, now)
    stats = action_statistics(action, default_range(action, now.date()))
    counted = [
        letter
        for letter in db.session.scalars(select(Letter).where(Letter.action_id == action.id))
        if letter.status in COUNTED_STATUSES[str(letter.channel)]
    ]
    assert stats.letters == len(counted)
    assert {t.target_id: t.letters for t in stats.by_target if t.letters} == Counter(
        letter.target_id for letter in counted
    )
    assert dict(stats.by_country) == Counter(letter.supporter_country for letter in counted)
    assert dict(stats.by_language) == Counter(letter.language for letter in counted)
    assert dict(stats.per_day) == {day: n for day, n in stats.per_day} and sum(
        n for _, n in stats.per_day
    ) == len(counted)
    by_day = Counter(letter.created_at.date() for letter in counted)
    assert {d: n for d, n in stats.per_day if n} == by_day
    assert list(stats.by_hour) == [
        sum(1 for letter in counted if letter.created_at.hour == hour) for hour in range(24)
    ]


def test_a_date_range_counts_only_letters_written_in_it(action):
    now = utcnow()
    _mixed_letters(action, now)
    start = (now - timedelta(days=2)).date()
    stats = action_statistics(action, DateRange(start, now.date()))
    expected = db.session.scalar(
        select(func.count(Letter.id)).where(
            Letter.action_id == action.id,
            Letter.created_at >= datetime.combine(start, datetime.min.time()),
        )
    )
    assert not stats.whole_action
    assert stats.letters_all == expected
    assert [d for d, _ in stats.per_day] == [start + timedelta(days=n) for n in range(3)]
    empty = action_statistics(action, DateRange(date(2001, 1, 1), date(2001, 1, 31)))
    assert (empty.letters, empty.letters_all, len(empty.per_day)) == (0, 0, 31)


def test_event_letters_in_the_rollups_are_included(client, action):
    now = utcnow()
    add_letters(action, Channel.PRINT, "GB", "p1", now)
    target = action.targets[0]
    key = RollupKey(now.date(), now.hour, "event", "approved", target.id, "DE", "de")
    bump(action.id, {"letters:event:approved": 40})
    bump_rollups(action.id, {key: 40})
    db.session.commit()
    stats = action_statistics(action, default_range(action, now.date()))
    assert dict(stats.by_channel)["event"] == 40
    assert stats.letters == _api(client, action)["letters"]
    assert dict(stats.by_language)["de"] == 40


def test_daily_counts_have_a_column_per_channel_and_status(action):
    now = utcnow()
    _mixed_letters(action, now)
    header, rows = daily_counts(action, default_range(action, now.date()))
    assert header[0] == "date" and header[-1] == "counted"
    assert "email:confirmed" in header and "mailto:opened" in header
    total = sum(row[-1] for row in rows)
    stats = action_statistics(action, default_range(action, now.date()))
    assert total == stats.letters
    index = header.index("mailto:opened")
    assert sum(row[index] for row in rows) == 3  # one GB supporter: two targets and the embassy


def test_dashboard_figures_count_the_last_24_hours_and_30_days(action):
    now = datetime(2026, 6, 10, 12, 30)
    action.deadline = now + timedelta(days=20)
    db.session.commit()
    add_letters(action, Channel.PRINT, "GB", "old", now - timedelta(days=40))
    add_letters(action, Channel.PRINT, "GB", "week", now - timedelta(days=7))
    add_letters(action, Channel.PRINT, "GB", "yday", now - timedelta(hours=23))
    add_letters(action, Channel.PRINT, "GB", "late", now - timedelta(hours=25))
    add_letters(action, Channel.EMAIL, "GB", "mailx", now)  # not counted yet
    figures = dashboard_figures([action], now)[action.id]
    per_supporter = 3  # two targets and the embassy copy for GB
    assert figures.letters == 4 * per_supporter
    assert figures.last_24_hours == 1 * per_supporter
    assert len(figures.last_30_days) == 30 and figures.last_30_days[-1][0] == now.date()
    assert sum(n for _, n in figures.last_30_days) == 3 * per_supporter
    assert figures.goal_percent == 4 * per_supporter * 100 // action.goal


def test_bench_generator_keeps_rollups_and_counters_equal_to_its_letters(client, action):
    now = utcnow()
    made = populate(action, 600, now, days=5, seed=7)
    stats = action_statistics(action, default_range(action, now.date()))
    assert stats.letters_all == made
    assert stats.letters == _api(client, action)["letters"]
    rows = db.session.execute(
        select(Letter.channel, Letter.status, func.count()).group_by(Letter.channel, Letter.status)
    ).all()
    by_pair = {(str(c), str(s)): n for c, s, n in rows}
    for row in stats.by_channel_status:
        assert row.letters == by_pair.get((row.channel, row.status), 0)


def test_delivery_status_is_zero_without_email_letters(action):
    add_letters(action, Channel.PRINT, "GB", "p1")
    status = delivery_status(action.id)
    assert (status.queued, status.sent, status.failed, status.total) == (0, 0, 0, 0)
