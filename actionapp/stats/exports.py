"""Exports for organisers: letters as CSV rows, OSDI-style records, and the export log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import and_, or_, select

from actionapp.campaigns.case_texts import case_texts
from actionapp.extensions import db
from actionapp.models import (
    Action,
    EventReport,
    EventReportLine,
    EventReportStatus,
    ExportLog,
    Letter,
    Organiser,
    ReplyReport,
    SolidarityMessage,
    SolidarityStatus,
    Submission,
    Target,
)
from actionapp.solidarity.messages import solidarity_counts
from actionapp.stats.counts import action_counts
from actionapp.stats.vocabulary import COUNTED_STATUSES

LETTER_COLUMNS = (
    "letter_id", "submission_id", "created_at", "status_changed_at", "channel", "status",
    "counted", "target_id", "target", "target_kind", "language", "supporter_country", "subject",
    "reply_reported", "reply_reported_at",
)  # fmt: skip
PERSONAL_COLUMNS = (
    "name", "email", "street_address", "city", "personal_message", "body", "consent_text",
    "consent_updates", "personal_data_removed_at", "reply_note",
)  # fmt: skip
# How each channel's letters travel, in OSDI's outreach types.
OSDI_TYPES = {"email": "email", "mailto": "email", "print": "postal mail", "event": "in-person"}
ORIGIN = "actionapp"


def log_export(
    organiser: Organiser,
    kind: str,
    now: datetime,
    action: Action | None = None,
    personal_data: bool = False,
    detail: str = "",
) -> ExportLog:
    """Record who exported what and when (flushes)."""
    entry = ExportLog(
        organiser_id=organiser.id,
        organiser_email=organiser.email,
        action_id=action.id if action else None,
        action_slug=action.slug if action else "",
        kind=kind,
        personal_data=personal_data,
        detail=detail,
        created_at=now,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def recent_exports(limit: int = 200) -> list[ExportLog]:
    """Return the latest export log entries, newest first."""
    return list(
        db.session.scalars(
            select(ExportLog)
            .order_by(ExportLog.created_at.desc(), ExportLog.id.desc())
            .limit(limit)
        )
    )


def _stamp(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") + "Z" if value else ""


def letter_rows(action_id: int, personal: bool, batch: int = 2000) -> Iterator[list]:
    """Yield the CSV header, then one row per letter, streamed from the database in batches."""
    yield list(LETTER_COLUMNS + (PERSONAL_COLUMNS if personal else ()))
    columns = [
        Letter.id, Letter.submission_id, Letter.created_at, Letter.status_changed_at,
        Letter.channel, Letter.status, Letter.target_id, Target.name, Target.kind,
        Letter.language, Letter.supporter_country, Letter.subject, ReplyReport.answer,
        ReplyReport.answered_at,
    ]  # fmt: skip
    query = (
        select(*columns)
        .join(Target, Target.id == Letter.target_id)
        .outerjoin(ReplyReport, ReplyReport.submission_id == Letter.submission_id)
    )
    if personal:
        query = query.add_columns(
            Submission.name, Submission.email, Submission.street_address, Submission.city,
            Submission.personal_message, Letter.body, Submission.consent_text,
            Submission.consent_updates, Submission.personal_data_removed_at, ReplyReport.note,
        ).join(Submission, Submission.id == Letter.submission_id)  # fmt: skip
    query = query.where(Letter.action_id == action_id).order_by(Letter.id)
    last_id = 0
    while True:
        chunk = db.session.execute(query.where(Letter.id > last_id).limit(batch)).all()
        if not chunk:
            return
        for row in chunk:
            (letter_id, submission_id, created, changed, channel, status, target_id, target,
             kind, language, country, subject, answer, answered, *extra) = row  # fmt: skip
            counted = str(status) in COUNTED_STATUSES.get(str(channel), frozenset())
            out = [
                letter_id, submission_id, _stamp(created), _stamp(changed), str(channel),
                str(status), "yes" if counted else "no", target_id, target, str(kind), language,
                country, subject, str(answer) if answer else "", _stamp(answered),
            ]  # fmt: skip
            if personal:
                *texts, consent_updates, removed, note = extra
                out += [*texts, "yes" if consent_updates else "no", _stamp(removed), note or ""]
            yield [_csv_safe(value) for value in out]
        last_id = chunk[-1][0]


def _csv_safe(value):
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def counted_condition():
    """Return the condition of letters that count (the events channel apart)."""
    return or_(
        *(
            and_(Letter.channel == channel, Letter.status.in_(sorted(statuses)))
            for channel, statuses in COUNTED_STATUSES.items()
            if channel != "event"
        )
    )


def osdi_campaign(
    action: Action, language: str, public_url: str, outreaches_url: str, solidarity_url: str = ""
) -> dict:
    """Return an action as an OSDI advocacy campaign (texts in a language), with its total.

    Solidarity messages are not letters to the targets: they are kept out of
    total_outreaches and given apart, as the extension "actionapp:solidarity_messages".
    """
    texts = case_texts(action, language)
    links = {"osdi:outreaches": {"href": outreaches_url}}
    if solidarity_url:
        links["actionapp:solidarity_messages"] = {"href": solidarity_url}
    return {
        "origin_system": ORIGIN,
        "identifiers": [f"{ORIGIN}:{action.slug}"],
        "title": texts.title.text,
        "description": texts.summary.text,
        "browser_url": public_url,
        "created_date": _stamp(action.created_at),
        "modified_date": _stamp(action.updated_at),
        "type": "letter",
        "status": str(action.status),
        "end_date": _stamp(action.deadline),
        "total_outreaches": action_counts(action.id).letters,
        "targets": [
            {
                "title": t.title,
                "organization": t.organisation,
                "given_name": "",
                "family_name": t.name,
                "country": t.country,
            }
            for t in action.targets
        ],
        "actionapp:solidarity_messages": solidarity_counts(action.id).total,
        "_links": {
            "osdi:outreaches": {"href": outreaches_url},
            **(
                {"actionapp:solidarity_messages": {"href": solidarity_url}}
                if solidarity_url
                else {}
            ),
        },
    }


# The outreach type of solidarity messages: OSDI has none for a message to the person at risk.
SOLIDARITY_TYPE = "actionapp:solidarity"


def osdi_solidarity(action: Action) -> list[dict]:
    """Return an action's counted solidarity messages as outreaches of their own type.

    Approved online messages, one each, and cards from approved event reports, one per report
    with "actionapp:cards". No text, signature or contact: only what counts.
    """
    messages = db.session.execute(
        select(SolidarityMessage.id, SolidarityMessage.created_at, SolidarityMessage.reviewed_at,
               SolidarityMessage.language, SolidarityMessage.country)
        .where(SolidarityMessage.action_id == action.id,
               SolidarityMessage.status == SolidarityStatus.APPROVED)
        .order_by(SolidarityMessage.id)
    ).all()  # fmt: skip
    reports = db.session.execute(
        select(EventReport.id, EventReport.held_on, EventReport.reviewed_at, EventReport.cards)
        .where(EventReport.action_id == action.id, EventReport.cards > 0,
               EventReport.status == EventReportStatus.APPROVED)
        .order_by(EventReport.id)
    ).all()  # fmt: skip
    return [
        *(
            {
                "origin_system": ORIGIN,
                "identifiers": [f"{ORIGIN}:solidarity:{mid}"],
                "created_date": _stamp(created),
                "modified_date": _stamp(reviewed),
                "type": SOLIDARITY_TYPE,
                "actionapp:cards": 1,
                "actionapp:language": language,
                "actionapp:country": country,
            }
            for mid, created, reviewed, language, country in messages
        ),
        *(
            {
                "origin_system": ORIGIN,
                "identifiers": [f"{ORIGIN}:event-cards:{rid}"],
                "created_date": f"{held_on.isoformat()}T00:00:00Z",
                "modified_date": _stamp(reviewed),
                "type": SOLIDARITY_TYPE,
                "actionapp:cards": cards,
                "actionapp:in_person": True,
            }
            for rid, held_on, reviewed, cards in reports
        ),
    ]


def osdi_outreaches(action: Action, after_id: int, per_page: int) -> tuple[list[dict], int | None]:
    """Return one page of counted letters as OSDI outreaches, and the id to continue after.

    No personal data: supporters are not named; letters from one supporter share a
    submission identifier.
    """
    rows = db.session.execute(
        select(
            Letter.id,
            Letter.submission_id,
            Letter.channel,
            Letter.subject,
            Letter.created_at,
            Letter.status_changed_at,
            Target.name,
            Target.title,
            Target.organisation,
            ReplyReport.answer,
        )
        .join(Target, Target.id == Letter.target_id)
        .outerjoin(ReplyReport, ReplyReport.submission_id == Letter.submission_id)
        .where(Letter.action_id == action.id, Letter.id > after_id, counted_condition())
        .order_by(Letter.id)
        .limit(per_page + 1)
    ).all()
    more = len(rows) > per_page
    rows = rows[:per_page]
    events = [] if more else event_outreaches(action)
    outreaches = [
        {
            "origin_system": ORIGIN,
            "identifiers": [f"{ORIGIN}:letter:{row[0]}", f"{ORIGIN}:submission:{row[1]}"],
            "created_date": _stamp(row[4]),
            "modified_date": _stamp(row[5]),
            "type": OSDI_TYPES.get(str(row[2]), "email"),
            "subject": row[3],
            "targets": [{"title": row[7], "organization": row[8], "family_name": row[6]}],
            # What the supporter reported: "no", "post", "email", or absent (not answered).
            **({f"{ORIGIN}:reply_reported": str(row[9])} if row[9] else {}),
        }
        for row in rows
    ]
    return outreaches + events, (rows[-1][0] if more and rows else None)


def event_outreaches(action: Action) -> list[dict]:
    """Return approved event reports as in-person outreaches, one per report and target.

    Letters written at events are counted, not recorded one by one: each outreach says how
    many letters it stands for ("actionapp:letters"), and these add up to the event letters
    in total_outreaches. No host details are included.
    """
    rows = db.session.execute(
        select(
            EventReport.id, EventReport.held_on, EventReport.reviewed_at, EventReport.city,
            EventReport.country, EventReportLine.letters, Target.id, Target.name, Target.title,
            Target.organisation,
        )
        .join(EventReportLine, EventReportLine.report_id == EventReport.id)
        .join(Target, Target.id == EventReportLine.target_id)
        .where(EventReport.action_id == action.id, EventReport.status == EventReportStatus.APPROVED)
        .order_by(EventReport.id, Target.id)
    ).all()  # fmt: skip
    return [
        {
            "origin_system": ORIGIN,
            "identifiers": [f"{ORIGIN}:event:{report_id}:{target_id}"],
            "created_date": f"{held_on.isoformat()}T00:00:00Z",
            "modified_date": _stamp(reviewed),
            "type": "in-person",
            "actionapp:letters": letters,
            "actionapp:place": ", ".join(p for p in (city, country) if p),
            "targets": [{"title": title, "organization": organisation, "family_name": name}],
        }
        for (
            report_id,
            held_on,
            reviewed,
            city,
            country,
            letters,
            target_id,
            name,
            title,
            organisation,
        ) in rows
    ]
