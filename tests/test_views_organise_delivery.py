"""Delivery figures come from the outbox; erasing a supporter reaches their queued mail too."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from actionapp.extensions import db
from actionapp.models import (
    EventReport,
    MessageKind,
    MessageStatus,
    OutboxContent,
    OutboxMessage,
    Submission,
    utcnow,
)
from actionapp.privacy.personal_data import erase_email, subject_access_export
from actionapp.stats.statistics import delivery_status
from tests.builders import make_chinese_case


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def test_delivery_status_counts_sent_queued_and_failed_with_reasons(
    post_letter, action, smtp_server, deliver, signed_in
):
    action.require_email_confirmation = False
    db.session.commit()
    # The court's server refuses the first supporter's letter for good.
    smtp_server.rcpt_answers["judge-li@example.org"] = "550 5.1.1 Mailbox unavailable"
    post_letter(action, channel="email")
    deliver()
    smtp_server.rcpt_answers.clear()
    post_letter(action, channel="email", email="sam@example.org", name="Sam Roe")
    status = delivery_status(action.id)
    assert (status.sent, status.failed, status.queued) == (2, 1, 3)
    assert status.failure_reasons[0][1] == 1 and "550" in status.failure_reasons[0][0]
    page = signed_in("viewer").get(f"/organise/actions/{action.id}/statistics")
    text = page.get_data(as_text=True)
    cells = re.findall(r'<th scope="row">(Queued|Sent|Failed)</th><td class="num">(\d+)</td>', text)
    assert dict(cells) == {"Queued": "3", "Sent": "2", "Failed": "1"}


def test_erasure_stops_unsent_mail_and_deletes_its_text(post_letter, action, smtp_server, deliver):
    post_letter(action, channel="email", email="eraseme@example.org", name="Erin Case")
    (confirmation,) = db.session.scalars(select(OutboxMessage)).all()
    assert confirmation.kind == MessageKind.CONFIRMATION
    assert confirmation.recipient == "eraseme@example.org"
    assert erase_email("EraseMe@example.org", utcnow()) == 1
    db.session.commit()
    db.session.expire_all()
    message = db.session.get(OutboxMessage, confirmation.id)
    assert message.status == MessageStatus.FAILED and message.recipient == ""
    assert db.session.get(OutboxContent, confirmation.id) is None
    assert deliver().sent == 0 and smtp_server.received == []
    submission = db.session.scalar(select(Submission))
    assert submission.email is None and submission.confirm_token_hash is None
    assert all(letter.sender_key is None and letter.body == "" for letter in submission.letters)


def test_event_hosts_are_found_and_erased_by_their_contact(app, action):
    report = EventReport(
        action_id=action.id,
        held_on=date(2026, 12, 10),
        city="Leeds",
        country="GB",
        host_name="Hana Host",
        host_contact="Hana@Example.org",
        note="Library evening",
        letters_total=40,
    )
    db.session.add(report)
    db.session.commit()
    with app.test_request_context():
        data = subject_access_export("hana@example.org", utcnow())
    assert data["event_reports_as_host"][0]["host_name"] == "Hana Host"
    assert erase_email("hana@example.org", utcnow()) == 1
    db.session.commit()
    db.session.refresh(report)
    assert (report.host_name, report.host_contact, report.note) == ("", "", "")
    assert report.letters_total == 40 and report.personal_data_removed_at is not None
