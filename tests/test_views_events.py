"""Letter-writing events: the host page, the pack download, the report form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from actionapp.extensions import db
from actionapp.models import EventReport, EventReportStatus, utcnow
from actionapp.stats.counts import action_counts
from tests.builders import make_chinese_case
from tests.conftest import started_stamp
from tests.fixtures_print import read_pdf


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def _report_data(app, action, **overrides):
    court = next(t for t in action.targets if t.kind == "primary")
    embassy = next(t for t in action.targets if t.kind == "embassy")
    data = {
        "held_on": (utcnow().date() - timedelta(days=1)).isoformat(),
        "city": "Leeds",
        "country": "GB",
        "host_name": "Ann Host",
        "host_contact": "ann@example.org",
        f"letters_{court.id}": "37",
        f"letters_{embassy.id}": "12",
        "consent": "y",
        "started": started_stamp(app),
        "website": "",
    }
    data.update(overrides)
    return data


def test_action_page_links_to_hosting_an_event(client, action):
    page = client.get(f"/actions/{action.slug}").get_data(as_text=True)
    assert f'href="/actions/{action.slug}/event"' in page
    assert "Host a letter-writing event" in page


def test_event_page_offers_a_pack_and_the_report(client, action):
    page = client.get(f"/actions/{action.slug}/event").get_data(as_text=True)
    assert f'action="/actions/{action.slug}/event/pack.pdf"' in page
    assert 'name="copies"' in page and 'name="paper"' in page and 'name="language"' in page
    assert f'href="/actions/{action.slug}/event/report"' in page
    for label in ("Language of the letters", "Paper size", "Letters to each recipient"):
        assert label in page


def test_pack_download(client, action):
    targets = [t.id for t in action.targets if t.kind == "primary"]
    query = "&".join(f"targets={t}" for t in targets)
    response = client.get(
        f"/actions/{action.slug}/event/pack.pdf?language=zh&variant=release&paper=a4"
        f"&copies=4&{query}"
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "event-pack-" in response.headers["Content-Disposition"]
    pdf = read_pdf(response.data)
    assert pdf.pages == 4 * 2 + 1
    assert "尊敬的李法官" in pdf.texts[0].replace(" ", "")
    assert "Addresses for the envelopes" in pdf.texts[-1]


def test_pack_larger_than_200_letters_is_refused(client, action):
    targets = [t.id for t in action.targets if t.kind == "primary"]
    query = "&".join(f"targets={t}" for t in targets)
    response = client.get(
        f"/actions/{action.slug}/event/pack.pdf?language=en&variant=release&paper=a4"
        f"&copies=101&{query}"
    )
    assert response.status_code == 422
    assert "at most 200 letters" in response.get_data(as_text=True)
    one_target = client.get(
        f"/actions/{action.slug}/event/pack.pdf?language=en&variant=release&paper=a4"
        f"&copies=201&targets={targets[0]}"
    )
    assert one_target.status_code == 422


def test_report_form_records_a_pending_report(app, client, action):
    page = client.get(f"/actions/{action.slug}/event/report").get_data(as_text=True)
    assert "How many letters did you write?" in page
    assert "Judge Li" in page and "Prosecutor Chen" in page
    response = client.post(f"/actions/{action.slug}/event/report", data=_report_data(app, action))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/actions/{action.slug}/event/report/thanks"
    report = db.session.scalar(select(EventReport))
    assert report.status == EventReportStatus.PENDING and report.letters_total == 49
    assert report.host_contact == "ann@example.org" and report.city == "Leeds"
    counts = action_counts(action.id)
    assert counts.by_status["event"] == {"pending": 49}
    assert counts.letters == 0 and counts.supporters == 0
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The organisers check each report" in thanks


def test_report_without_letters_or_in_the_future_is_refused(app, client, action):
    court = next(t for t in action.targets if t.kind == "primary")
    embassy = next(t for t in action.targets if t.kind == "embassy")
    empty = _report_data(app, action, **{f"letters_{court.id}": "0",
                                              f"letters_{embassy.id}": ""})  # fmt: skip
    response = client.post(f"/actions/{action.slug}/event/report", data=empty)
    assert response.status_code == 422
    assert "how many letters you wrote" in response.get_data(as_text=True)
    future = _report_data(app, action, held_on=(utcnow().date() + timedelta(days=9)).isoformat())
    response = client.post(f"/actions/{action.slug}/event/report", data=future)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(EventReport.id))) == 0


def test_report_honeypot_records_nothing(app, client, action):
    data = _report_data(app, action, website="http://spam.example")
    response = client.post(f"/actions/{action.slug}/event/report", data=data)
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(EventReport.id))) == 0


def test_reports_are_rate_limited(make_app, action):
    application = make_app(RATELIMIT_ENABLED=True, EVENT_REPORT_RATE_LIMIT="2 per minute")
    client = application.test_client()
    url = f"/actions/{action.slug}/event/report"
    with application.app_context():
        data = _report_data(application, action)
    assert client.post(url, data=data).status_code == 303
    assert client.post(url, data=data).status_code == 303
    assert client.post(url, data=data).status_code == 429
    assert client.get(url).status_code == 200  # reading the form is not limited


def test_report_over_the_total_limit_says_so_in_the_interface_language(app, client, action):
    """3,000 letters to each of two officials: each count is allowed, the total is not."""
    court = next(t for t in action.targets if t.kind == "primary")
    embassy = next(t for t in action.targets if t.kind == "embassy")
    counts = {f"letters_{court.id}": "3000", f"letters_{embassy.id}": "3000"}
    url = f"/actions/{action.slug}/event/report"
    response = client.post(url, data=_report_data(app, action, **counts))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "at most 5,000 letters in all, and this one counts 6,000" in page
    assert "cannot be in the future" not in page
    assert 'value="3000"' in page  # what the host typed is kept
    client.get("/language/zh")
    response = client.post(url, data=_report_data(app, action, **counts))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "6,000" in page
    assert "this one counts" not in page  # no English sentence in the Chinese page
    assert db.session.scalar(select(func.count(EventReport.id))) == 0


def test_report_in_the_future_names_the_date(app, client, action):
    future = (utcnow().date() + timedelta(days=9)).isoformat()
    response = client.post(
        f"/actions/{action.slug}/event/report",
        data=_report_data(app, action, held_on=future),
    )
    assert response.status_code == 422
    assert "it cannot be in the future" in response.get_data(as_text=True)
