"""Event reports: pending until reviewed, then counted apart from individual letters."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from actionapp.events.reports import (
    EventReportError,
    NewEventReport,
    approve_event_report,
    pending_event_reports,
    record_event_report,
    reject_event_report,
)
from actionapp.extensions import db
from actionapp.models import EventReport, EventReportStatus, utcnow
from actionapp.stats.counts import action_counts
from tests.builders import make_chinese_case
from tests.fixtures_print import make_submission


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def _report(action, court=37, embassy=12, **fields):
    court_target = next(t for t in action.targets if t.kind == "primary")
    embassy_target = next(t for t in action.targets if t.kind == "embassy")
    values = {
        "held_on": utcnow().date() - timedelta(days=1),
        "city": "Leeds",
        "country": "GB",
        "host_name": "Ann Host",
        "host_contact": "ann@example.org",
        "letters_by_target": {court_target.id: court, embassy_target.id: embassy},
    }
    values.update(fields)
    return NewEventReport(**values)


def test_a_report_is_recorded_pending_and_counted_apart(app, action):
    make_submission(action)  # one supporter, three printed letters
    report = record_event_report(action, _report(action), utcnow())
    db.session.commit()
    assert report.status == EventReportStatus.PENDING
    assert report.letters_total == 49
    assert sorted(line.letters for line in report.lines) == [12, 37]
    counts = action_counts(action.id)
    assert counts.by_status["event"] == {"pending": 49}
    assert counts.by_channel["event"] == 0
    assert counts.letters == 3 and counts.supporters == 1
    assert pending_event_reports(action.id) == [report]


def test_approving_counts_the_letters_publicly_but_adds_no_supporters(app, action):
    make_submission(action)
    report = record_event_report(action, _report(action), utcnow())
    db.session.commit()
    approved = approve_event_report(report.id, utcnow())
    db.session.commit()
    assert approved.status == EventReportStatus.APPROVED and approved.reviewed_at
    counts = action_counts(action.id)
    assert counts.by_status["event"] == {"pending": 0, "approved": 49}
    assert counts.by_channel == {"email": 0, "mailto": 0, "print": 3, "event": 49}
    assert counts.letters == 52 and counts.supporters == 1
    # Approving twice moves nothing twice.
    approve_event_report(report.id, utcnow())
    db.session.commit()
    assert action_counts(action.id).by_channel["event"] == 49
    assert pending_event_reports(action.id) == []


def test_rejecting_removes_the_letters_from_pending_and_from_public_counts(app, action):
    first = record_event_report(action, _report(action), utcnow())
    second = record_event_report(action, _report(action, court=5, embassy=0), utcnow())
    db.session.commit()
    reject_event_report(first.id, utcnow())
    approve_event_report(second.id, utcnow())
    db.session.commit()
    counts = action_counts(action.id)
    assert counts.by_status["event"] == {"pending": 0, "approved": 5, "rejected": 49}
    assert counts.by_channel["event"] == 5
    # An organiser changes their mind: approved -> rejected takes the letters back out.
    reject_event_report(second.id, utcnow())
    db.session.commit()
    counts = action_counts(action.id)
    assert counts.by_channel["event"] == 0 and counts.by_status["event"]["rejected"] == 54
    assert db.session.get(EventReport, second.id).status == EventReportStatus.REJECTED


def test_unknown_report_is_none(app, action):
    assert approve_event_report(12345, utcnow()) is None
    assert reject_event_report(12345, utcnow()) is None


@pytest.mark.parametrize(
    "change",
    [
        {"letters_by_target": {}},
        {"letters_by_target": {999999: 3}},
        {"held_on": date.today() + timedelta(days=5)},
    ],
)
def test_reports_that_cannot_be_right_are_refused(app, action, change):
    with pytest.raises(EventReportError):
        record_event_report(action, _report(action, **change), utcnow())
    db.session.rollback()
    assert action_counts(action.id).by_status == {}


def test_too_many_letters_in_one_report_is_refused(app, action):
    with pytest.raises(EventReportError):
        record_event_report(action, _report(action, court=5000, embassy=1), utcnow())


def test_event_letters_are_rolled_up_by_target_and_status(app, action):
    from sqlalchemy import func, select

    from actionapp.models import LetterRollup

    def rolled(status):
        return db.session.scalar(
            select(func.coalesce(func.sum(LetterRollup.count), 0)).where(
                LetterRollup.channel == "event", LetterRollup.status == status
            )
        )

    court, procurator = action.targets[0], action.targets[1]
    report = record_event_report(
        action,
        NewEventReport(
            held_on=utcnow().date(),
            city="Leeds",
            country="GB",
            host_name="Sam",
            host_contact="sam@example.org",
            letters_by_target={court.id: 37, procurator.id: 12},
        ),
        utcnow(),
    )
    db.session.commit()
    assert rolled("pending") == 49
    approve_event_report(report.id, utcnow())
    db.session.commit()
    assert (rolled("pending"), rolled("approved")) == (0, 49)
    by_target = dict(
        db.session.execute(
            select(LetterRollup.target_id, func.sum(LetterRollup.count))
            .where(LetterRollup.channel == "event", LetterRollup.status == "approved")
            .group_by(LetterRollup.target_id)
        ).all()
    )
    assert by_target == {court.id: 37, procurator.id: 12}
