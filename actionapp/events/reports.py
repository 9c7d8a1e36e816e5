"""Letter-writing events: hosts report paper letters; organisers approve them into the counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from actionapp.extensions import db
from actionapp.models import Action, EventReport, EventReportLine, EventReportStatus
from actionapp.rule_errors import RuleError
from actionapp.solidarity.messages import event_cards_metric
from actionapp.stats.counts import RollupKey, bump, bump_rollups, letter_metric

EVENT_CHANNEL = "event"
# One report covers one event: more letters than this is a typo or a joke.
REPORT_MAX_LETTERS = 5000


class EventReportError(RuleError):
    """A report that cannot be recorded as it is.

    Codes: unknown_target, negative_letters, no_letters, too_many_letters (total, maximum),
    too_many_cards (cards, maximum),
    future_date (held_on).
    """


@dataclass(frozen=True)
class NewEventReport:
    """What a host reports after an event."""

    held_on: date
    city: str
    host_name: str
    host_contact: str
    letters_by_target: dict[int, int] = field(default_factory=dict)
    country: str = ""
    note: str = ""
    # Solidarity cards written at the event: counted apart, never as letters.
    cards: int = 0

    @property
    def total(self) -> int:
        """Return how many letters the report counts."""
        return sum(self.letters_by_target.values())


def _metric(status: EventReportStatus) -> str:
    return letter_metric(EVENT_CHANNEL, status.value)


def _rollups(report: EventReport, status: EventReportStatus, sign: int) -> dict[RollupKey, int]:
    """Return the rollup deltas of a report's letters in one status (by target, on its day)."""
    return {
        RollupKey(
            day=report.held_on,
            hour=0,  # events report a day, not an hour (CHANNELS_WITHOUT_HOUR)
            channel=EVENT_CHANNEL,
            status=status.value,
            target_id=line.target_id,
            country=report.country or "",
            language="",  # a report does not say which language its letters were in
        ): sign * line.letters
        for line in report.lines
    }


def record_event_report(action: Action, new: NewEventReport, now: datetime) -> EventReport:
    """Record a host's report, pending review, and count its letters as pending."""
    target_ids = {target.id for target in action.targets}
    lines = {tid: n for tid, n in new.letters_by_target.items() if n}
    if any(tid not in target_ids for tid in lines):
        raise EventReportError("unknown_target")
    if any(n < 0 for n in lines.values()):
        raise EventReportError("negative_letters")
    total = sum(lines.values())
    if not 0 <= new.cards <= REPORT_MAX_LETTERS:
        raise EventReportError("too_many_cards", cards=new.cards, maximum=REPORT_MAX_LETTERS)
    if total < 1:
        raise EventReportError("no_letters")
    if total > REPORT_MAX_LETTERS:
        raise EventReportError("too_many_letters", total=total, maximum=REPORT_MAX_LETTERS)
    # A day of slack: the host's calendar may be ahead of UTC.
    if new.held_on > (now + timedelta(days=1)).date():
        raise EventReportError("future_date", held_on=new.held_on)
    report = EventReport(
        action_id=action.id,
        status=EventReportStatus.PENDING,
        held_on=new.held_on,
        city=new.city,
        country=new.country,
        host_name=new.host_name,
        host_contact=new.host_contact,
        note=new.note,
        letters_total=total,
        cards=new.cards,
        created_at=now,
        lines=[EventReportLine(target_id=tid, letters=n) for tid, n in sorted(lines.items())],
    )
    db.session.add(report)
    bump(
        action.id,
        {
            _metric(EventReportStatus.PENDING): total,
            event_cards_metric(EventReportStatus.PENDING.value): new.cards,
        },
    )
    bump_rollups(action.id, _rollups(report, EventReportStatus.PENDING, 1))
    db.session.flush()
    return report


def review_event_report(
    report_id: int, status: EventReportStatus, now: datetime
) -> EventReport | None:
    """Move a report to a status and its letters from one event counter to the other.

    Locks the report's row first (on SQLite run it inside write_transaction()), so that two
    organisers reviewing at once cannot move the same letters twice. None if no such report.
    """
    report = db.session.scalar(
        select(EventReport).where(EventReport.id == report_id).with_for_update()
    )
    if report is None:
        return None
    if report.status != status:
        bump(
            report.action_id,
            {
                _metric(report.status): -report.letters_total,
                _metric(status): report.letters_total,
                event_cards_metric(report.status.value): -report.cards,
                event_cards_metric(status.value): report.cards,
            },
        )
        bump_rollups(
            report.action_id,
            {**_rollups(report, report.status, -1), **_rollups(report, status, 1)},
        )
        report.status = status
    report.reviewed_at = now
    db.session.flush()
    return report


def approve_event_report(report_id: int, now: datetime) -> EventReport | None:
    """Approve a report: its letters count publicly as event letters."""
    return review_event_report(report_id, EventReportStatus.APPROVED, now)


def reject_event_report(report_id: int, now: datetime) -> EventReport | None:
    """Reject a report: its letters leave the pending count and never count publicly."""
    return review_event_report(report_id, EventReportStatus.REJECTED, now)


def pending_event_reports(action_id: int) -> list[EventReport]:
    """Return an action's reports awaiting review, oldest first (for the review screen)."""
    return list(
        db.session.scalars(
            select(EventReport)
            .where(
                EventReport.action_id == action_id,
                EventReport.status == EventReportStatus.PENDING,
            )
            .order_by(EventReport.created_at, EventReport.id)
        )
    )


def event_reports(action_id: int, limit: int = 200) -> list[EventReport]:
    """Return an action's reports for review: pending ones first (oldest first), then the rest."""
    pending = pending_event_reports(action_id)
    reviewed = db.session.scalars(
        select(EventReport)
        .where(
            EventReport.action_id == action_id,
            EventReport.status != EventReportStatus.PENDING,
        )
        .order_by(EventReport.reviewed_at.desc(), EventReport.id.desc())
        .limit(limit)
    )
    return [*pending, *reviewed]
