"""Statistics say what they count: event letters have no hour, embassy copies have a country."""

from __future__ import annotations

import base64
import html
import re
from datetime import datetime, timedelta

import pytest

from actionapp.events.reports import NewEventReport, approve_event_report, record_event_report
from actionapp.extensions import db
from actionapp.models import Channel, utcnow
from actionapp.stats.statistics import action_statistics, default_range
from tests.builders import embassy_fields, make_action, target_fields
from tests.fixtures_organise import add_letters

EMBASSY = "Ruritania's Embassy in the United Kingdom"
UK_EMBASSY = "Ruritania&#39;s Embassy in the United Kingdom"  # as the page escapes it


@pytest.fixture
def action(app):
    """Two primary targets and a UK embassy copy whose name is not its organisation's."""
    built = make_action(
        targets=[
            target_fields(),
            target_fields("Judge Li"),
            embassy_fields("GB", name="Ambassador of Ruritania", organisation=EMBASSY),
        ]
    )
    db.session.commit()
    return built


def _event(action, court=37, embassy=12):
    court_target = next(t for t in action.targets if t.kind == "primary")
    embassy_target = next(
        t for t in action.targets if t.kind == "embassy" and t.supporter_country == "GB"
    )
    report = record_event_report(
        action,
        NewEventReport(
            held_on=utcnow().date() - timedelta(days=1),
            city="Leeds",
            country="GB",
            host_name="Ann Host",
            host_contact="ann@example.org",
            letters_by_target={court_target.id: court, embassy_target.id: embassy},
        ),
        utcnow(),
    )
    db.session.commit()
    return report


def test_event_letters_are_not_put_at_midnight_in_by_hour(action):
    at_three = datetime.combine(utcnow().date(), datetime.min.time()).replace(hour=3)
    add_letters(action, Channel.PRINT, "GB", "p1", at_three)  # 3 letters at 03:00
    approve_event_report(_event(action).id, utcnow())
    db.session.commit()
    stats = action_statistics(action, default_range(action, utcnow().date()))
    assert stats.letters == 3 + 49
    assert stats.by_hour[3] == 3 and stats.by_hour[0] == 0
    assert sum(stats.by_hour) == 3
    assert stats.without_hour == 49
    # The event letters still count on the day of the event.
    assert sum(n for _day, n in stats.per_day) == 52


def test_statistics_page_says_event_letters_have_no_hour(signed_in, action):
    approve_event_report(_event(action).id, utcnow())
    db.session.commit()
    page = signed_in("viewer").get(f"/organise/actions/{action.id}/statistics")
    html = page.get_data(as_text=True)
    hours = html.split("By hour of day (UTC)", 1)[1]
    assert '<th scope="row">00:00</th><td class="num">0</td>' in hours
    assert "49 letters reported from events have no hour" in hours


def test_embassy_copies_are_labelled_by_country_in_charts_and_reviews(signed_in, action):
    add_letters(action, Channel.PRINT, "GB", "p1")
    _event(action)
    viewer = signed_in("editor")
    stats = viewer.get(f"/organise/actions/{action.id}/statistics").get_data(as_text=True)
    by_target = stats.split("By hour of day", 1)[0]
    assert UK_EMBASSY in by_target
    # The chart's labels (an SVG image) name the embassy too, not "Ambassador of ...".
    charts = [
        base64.b64decode(data).decode()
        for data in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', stats)
    ]
    assert any(html.escape(EMBASSY, quote=False) in chart for chart in charts)
    assert not any("Ambassador of Ruritania" in chart for chart in charts)
    review = viewer.get(f"/organise/actions/{action.id}/events").get_data(as_text=True)
    assert f"{UK_EMBASSY}: 12" in review
