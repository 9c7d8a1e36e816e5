"""Personal data is removed on schedule and on request; counts and consent records stay."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from actionapp.extensions import db
from actionapp.models import (
    ActionStatus,
    Channel,
    EventReport,
    ExportLog,
    Letter,
    Submission,
    utcnow,
)
from actionapp.privacy.personal_data import purge_expired
from tests.builders import make_chinese_case
from tests.fixtures_organise import add_letters


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def _api(client, action):
    return client.get(f"/api/v1/actions/{action.slug}").get_json()["counts"]


def _close(action, days_ago: int):
    action.status = ActionStatus.CLOSED
    action.closed_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()


def test_purge_blanks_personal_data_after_retention_and_keeps_counts(client, action):
    now = utcnow()
    first = add_letters(action, Channel.PRINT, "GB", "mail-a", now - timedelta(days=40))
    add_letters(action, Channel.PRINT, "US", "p-b", now - timedelta(days=39))
    host = EventReport(
        action_id=action.id, held_on=now.date(), city="Leeds", host_name="Hana Host",
        host_contact="hana@example.org", note="Library", letters_total=12,
    )  # fmt: skip
    db.session.add(host)
    db.session.commit()
    before = _api(client, action)
    _close(action, days_ago=29)
    assert purge_expired(utcnow()).submissions == 0  # 30 days have not passed yet
    _close(action, days_ago=31)
    report = purge_expired(utcnow())
    db.session.commit()
    assert (report.actions, report.submissions) == (1, 2)
    db.session.expire_all()
    submission = db.session.get(Submission, first.id)
    assert (submission.name, submission.email, submission.city, submission.personal_message) == (
        "", None, "", "",
    )  # fmt: skip
    assert submission.personal_data_removed_at is not None
    assert submission.consent_text == "I agree to the processing."  # the record stays
    assert submission.country == "GB"
    letters = db.session.scalars(select(Letter)).all()
    assert letters and all(letter.body == "" for letter in letters)
    assert all(
        (letter.personal_message, letter.signature_name, letter.signature_place) == ("", "", "")
        for letter in letters
    )
    assert all(letter.subject and letter.supporter_country for letter in letters)
    assert _api(client, action) == before
    host = db.session.get(EventReport, host.id)
    assert (host.host_name, host.host_contact, host.letters_total) == ("", "", 12)
    assert purge_expired(utcnow()).submissions == 0  # idempotent


def test_live_actions_and_drafts_keep_their_data(action):
    add_letters(action, Channel.PRINT, "GB", "p-a", utcnow() - timedelta(days=400))
    assert purge_expired(utcnow()).submissions == 0


def test_an_action_past_its_deadline_counts_as_closed(action):
    add_letters(action, Channel.PRINT, "GB", "p-a", utcnow() - timedelta(days=50))
    action.deadline = utcnow() - timedelta(days=31)
    action.retention_days = 30
    db.session.commit()
    assert purge_expired(utcnow()).submissions == 1


def test_purge_command_reports_and_is_idempotent(runner, action):
    add_letters(action, Channel.PRINT, "GB", "p-a", utcnow() - timedelta(days=50))
    action.retention_days = 0
    _close(action, days_ago=1)
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0
    assert "removed from 1 submission(s) in 1 action(s)" in result.output
    again = runner.invoke(args=["privacy", "purge"])
    assert "removed from 0 submission(s)" in again.output


def test_subject_access_and_erasure_by_email(signed_in, action, client):
    mine = add_letters(action, Channel.EMAIL, "GB", "mail-me")
    other = add_letters(action, Channel.EMAIL, "GB", "mail-other")
    admin = signed_in("admin")
    page = admin.post("/organise/privacy/lookup", data={"lookup-email": "MAIL-ME@example.org "})
    text = page.get_data(as_text=True)
    assert "1 submission found" in text and "I agree to the processing." in text
    assert "Ana Example" in text
    export = admin.post("/organise/privacy/export", data={"lookup-email": "mail-me@example.org"})
    data = json.loads(export.get_data(as_text=True))
    assert export.mimetype == "application/json"
    assert data["submissions"][0]["email"] == "mail-me@example.org"
    assert data["submissions"][0]["consent"]["text_shown"] == "I agree to the processing."
    assert len(data["submissions"][0]["letters"]) == 3
    log = db.session.scalar(select(ExportLog).where(ExportLog.kind == "subject_access"))
    assert log.personal_data and "mail-me" not in log.detail
    before = _api(client, action)
    refused = admin.post("/organise/privacy/erase", data={"erase-email": "mail-me@example.org"})
    assert refused.status_code == 422  # not confirmed
    erased = admin.post(
        "/organise/privacy/erase", data={"erase-email": "mail-me@example.org", "erase-confirm": "y"}
    )
    assert erased.status_code == 303
    db.session.expire_all()
    assert db.session.get(Submission, mine.id).email is None
    assert db.session.get(Submission, mine.id).name == ""
    assert db.session.get(Submission, other.id).email == "mail-other@example.org"
    assert _api(client, action) == before
    again = admin.post("/organise/privacy/lookup", data={"lookup-email": "mail-me@example.org"})
    assert "0 submissions found" in again.get_data(as_text=True)
    assert db.session.scalar(select(ExportLog.detail).where(ExportLog.kind == "erasure")) == (
        "1 record(s) erased"
    )


def test_consent_records_per_action(signed_in, action):
    add_letters(action, Channel.PRINT, "GB", "p-a")
    add_letters(action, Channel.PRINT, "GB", "p-b")
    page = signed_in("admin").get(f"/organise/actions/{action.id}/consent")
    text = page.get_data(as_text=True)
    assert "I agree to the processing." in text and '<td class="num">2</td>' in text
