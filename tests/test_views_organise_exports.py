"""Exports: letters CSV (personal data only for admins who say why), daily CSV, OSDI; all logged."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from actionapp.extensions import db
from actionapp.letters.record import move_letters
from actionapp.models import Channel, ExportLog, Letter, LetterStatus, utcnow
from tests.builders import make_chinese_case
from tests.fixtures_organise import add_letters


@pytest.fixture
def action(app):
    """Two targets in China with email addresses; UK and German embassy copies."""
    built = make_chinese_case(embassies=("GB", "DE"))
    db.session.commit()
    return built


def _rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _letters(action):
    add_letters(action, Channel.PRINT, "GB", "p1")
    mail = add_letters(action, Channel.EMAIL, "DE", "mail1")
    move_letters(mail, mail.letters, LetterStatus.CONFIRMED, utcnow())
    add_letters(action, Channel.MAILTO, "JP", "m1")  # opened: not counted
    db.session.commit()


def test_letters_csv_has_no_personal_data_and_is_logged(signed_in, action):
    _letters(action)
    response = signed_in("viewer").get(f"/organise/actions/{action.id}/export/letters.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _rows(response)
    header, body = rows[0], rows[1:]
    assert "name" not in header and "email" not in header and "body" not in header
    assert len(body) == db.session.scalar(select(func.count(Letter.id)))
    text = response.get_data(as_text=True)
    assert "Ana Example" not in text and "Porto" not in text and "@example.org" not in text
    counted = [row for row in body if row[header.index("counted")] == "yes"]
    assert len(counted) == 6
    entry = db.session.scalar(select(ExportLog))
    assert (entry.kind, entry.personal_data, entry.action_slug) == (
        "letters_csv", False, action.slug,
    )  # fmt: skip
    assert entry.organiser_email.startswith("viewer")


def test_personal_data_needs_an_admin_a_reason_and_is_logged(signed_in, action):
    _letters(action)
    url = f"/organise/actions/{action.id}/export/letters-personal"
    admin = signed_in("admin")
    assert admin.post(url, data={"reason": "short"}).status_code == 422
    assert db.session.scalar(select(func.count(ExportLog.id))) == 0
    reason = "Posting letters collected at the town hall event"
    response = admin.post(url, data={"reason": reason, "confirm": "y"})
    rows = _rows(response)
    header = rows[0]
    assert {"name", "email", "city", "body", "consent_text"} <= set(header)
    assert rows[1][header.index("name")] == "Ana Example"
    assert "mail1@example.org" in response.get_data(as_text=True)
    entry = db.session.scalar(select(ExportLog))
    assert entry.personal_data and entry.detail == reason
    assert signed_in("editor").post(url, data={"reason": reason, "confirm": "y"}).status_code == 403


def test_csv_cells_cannot_become_spreadsheet_formulas(signed_in, action):
    from actionapp.letters.compose import SupporterDetails
    from actionapp.letters.record import NewSubmission
    from tests.builders import submit_letters

    details = SupporterDetails(
        name="=HYPERLINK(\"http://evil.example\")", city="@city", country="GB", language="en",
        variant="release", target_ids=[action.targets[0].id], seed="s",
    )  # fmt: skip
    new = NewSubmission(details, Channel.PRINT, "formula-key-000001", consent_text="ok")
    submit_letters(action, new, utcnow())
    db.session.commit()
    response = signed_in("admin").post(
        f"/organise/actions/{action.id}/export/letters-personal",
        data={"reason": "checking formulas in exports", "confirm": "y"},
    )
    rows = _rows(response)
    header = rows[0]
    assert rows[1][header.index("name")] == '\'=HYPERLINK("http://evil.example")'
    assert rows[1][header.index("city")] == "'@city"


def test_daily_csv_adds_up_to_the_public_total(signed_in, action, client):
    _letters(action)
    response = signed_in("viewer").get(f"/organise/actions/{action.id}/export/daily.csv")
    rows = _rows(response)
    header = rows[0]
    total = sum(int(row[-1]) for row in rows[1:])
    assert header[-1] == "counted"
    assert total == client.get(f"/api/v1/actions/{action.slug}").get_json()["counts"]["letters"]
    assert db.session.scalar(select(ExportLog.kind)) == "daily_csv"


def test_osdi_campaigns_and_outreaches_match_the_counts(signed_in, action, client):
    _letters(action)
    viewer = signed_in("viewer")
    campaigns = viewer.get("/organise/export/osdi/advocacy_campaigns").get_json()
    campaign = campaigns["_embedded"]["osdi:advocacy_campaigns"][0]
    api_total = client.get(f"/api/v1/actions/{action.slug}").get_json()["counts"]["letters"]
    assert campaign["total_outreaches"] == api_total == 6
    assert campaign["identifiers"] == [f"actionapp:{action.slug}"]
    url = campaign["_links"]["osdi:outreaches"]["href"] + "?per_page=4"
    outreaches = []
    pages = 0
    while url:
        page = viewer.get(url).get_json()
        pages += 1
        outreaches += page["_embedded"]["osdi:outreaches"]
        url = page["_links"].get("next", {}).get("href")
    assert pages == 2 and len(outreaches) == api_total
    assert {o["type"] for o in outreaches} == {"postal mail", "email"}
    assert len({o["identifiers"][0] for o in outreaches}) == api_total
    text = str(outreaches)
    assert "Ana Example" not in text and "@example.org" not in text
    kinds = db.session.scalars(select(ExportLog.kind)).all()
    assert kinds.count("osdi_outreaches") == 2 and "osdi_campaigns" in kinds
    assert (
        viewer.get(url or campaign["_links"]["osdi:outreaches"]["href"] + "?after=x").status_code
        == 400
    )


def test_osdi_counts_approved_event_letters_as_in_person_outreaches(signed_in, action, client):
    from datetime import date

    from actionapp.events.reports import NewEventReport, approve_event_report, record_event_report

    _letters(action)
    court, procurator = action.targets[0], action.targets[1]
    report = record_event_report(
        action,
        NewEventReport(date(2026, 1, 5), "Leeds", "Hana Host", "hana@example.org",
                       {court.id: 30, procurator.id: 12}, country="GB"),
        utcnow(),
    )  # fmt: skip
    record_event_report(
        action,
        NewEventReport(date(2026, 1, 6), "York", "Pat", "pat@example.org", {court.id: 5}),
        utcnow(),
    )  # still pending: not counted
    approve_event_report(report.id, utcnow())
    db.session.commit()
    viewer = signed_in("viewer")
    total = viewer.get(f"/organise/export/osdi/advocacy_campaigns/{action.id}").get_json()[
        "total_outreaches"
    ]
    api = client.get(f"/api/v1/actions/{action.slug}").get_json()["counts"]
    assert total == api["letters"] == 6 + 42
    page = viewer.get(f"/organise/export/osdi/advocacy_campaigns/{action.id}/outreaches")
    outreaches = page.get_json()["_embedded"]["osdi:outreaches"]
    in_person = [o for o in outreaches if o["type"] == "in-person"]
    assert [o["actionapp:letters"] for o in in_person] == [30, 12]
    assert (
        len(outreaches) - len(in_person) + sum(o["actionapp:letters"] for o in in_person) == total
    )
    assert "Hana" not in str(outreaches) and "hana@" not in str(outreaches)
    response = viewer.get(f"/organise/actions/{action.id}/statistics")
    assert response.status_code == 200, response.get_data(as_text=True)[-3000:]
    stats = response.get_data(as_text=True)
    assert 'data-key="event:approved"' in stats and "Not known (event reports)" in stats
