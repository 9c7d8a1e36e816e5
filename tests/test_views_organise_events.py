"""Review of event reports: approve into the public counts, or reject."""

from __future__ import annotations

import pytest

from actionapp.events.reports import NewEventReport, record_event_report
from actionapp.extensions import db
from actionapp.models import utcnow
from actionapp.stats.counts import action_counts
from tests.builders import make_chinese_case


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def _report(action, **lines):
    report = record_event_report(
        action,
        NewEventReport(
            held_on=utcnow().date(),
            city="Leeds",
            country="GB",
            host_name="Sam Host",
            host_contact="sam@example.org",
            letters_by_target={action.targets[0].id: 37, action.targets[1].id: 12},
            note="Church hall <b>evening</b>",
        ),
        utcnow(),
    )
    db.session.commit()
    return report


def test_editor_sees_reports_with_host_contact(signed_in, action):
    _report(action)
    page = signed_in("editor").get(f"/organise/actions/{action.id}/events")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Sam Host" in text and "sam@example.org" in text
    assert "Awaiting review" in text and "Total: 49" in text
    assert "&lt;b&gt;evening&lt;/b&gt;" in text


def test_approving_counts_the_letters_publicly_and_rejecting_takes_them_back(
    signed_in, action, client
):
    report = _report(action)
    editor = signed_in("editor")
    url = f"/organise/actions/{action.id}/events/{report.id}/review"
    assert action_counts(action.id).by_channel["event"] == 0
    response = editor.post(url, data={"decision": "approve"})
    assert response.status_code == 303
    assert client.get(f"/api/v1/actions/{action.slug}").json["counts"]["by_channel"]["event"] == 49
    assert "49 event letters now count" in editor.get(response.headers["Location"]).get_data(
        as_text=True
    )
    editor.post(url, data={"decision": "reject"})
    counts = action_counts(action.id)
    assert counts.by_channel["event"] == 0 and counts.by_status["event"]["rejected"] == 49
    assert counts.supporters == 0  # event letters add no supporters


def test_unknown_decision_or_report_is_refused(signed_in, action):
    report = _report(action)
    editor = signed_in("editor")
    base = f"/organise/actions/{action.id}/events"
    assert editor.post(f"{base}/{report.id}/review", data={"decision": "maybe"}).status_code == 400
    assert editor.post(f"{base}/999999/review", data={"decision": "approve"}).status_code == 404
    assert action_counts(action.id).by_status["event"] == {"pending": 49}
