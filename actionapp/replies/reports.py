"""Did an official reply? The question emailed some days after the letters, and the answers.

Asked once (never a reminder) of every submission whose supporter ticked "updates on this
case", whose letters went out (counted) the action's reply_question_days ago or more, whose
address still holds, has not unsubscribed from the action's mail and has not bounced. The
answer is per submission; "per official" means the officials that submission wrote to.

The link in the email is stateless, "<submission id>.<HMAC>", and opens a confirmation page:
only its POST records (mail scanners that follow links record nothing).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from actionapp.campaigns.case_texts import case_texts
from actionapp.database import insert_with_conflicts
from actionapp.email.messages import HeaderInjectionError, MailSettings, make_message_id
from actionapp.email.outbox import bounced_addresses, is_bounced, queue_message
from actionapp.email.updates import signature, unsubscribed_keys
from actionapp.extensions import db
from actionapp.letters.record import sender_key
from actionapp.models import (
    Action,
    ActionStatus,
    Letter,
    MessageKind,
    ReplyAnswer,
    ReplyReport,
    Submission,
    Target,
)
from actionapp.stats.exports import counted_condition
from actionapp.web.links import public_url_for

NOTE_MAX = 1000
# The answers in the order they are offered, with their labels (one place for both).
ANSWER_LABELS = {
    ReplyAnswer.NO: _l("No, no reply yet"),
    ReplyAnswer.POST: _l("Yes, a reply came by post"),
    ReplyAnswer.EMAIL: _l("Yes, a reply came by email"),
}
REPLIED = (ReplyAnswer.POST, ReplyAnswer.EMAIL)


def reply_token(secret: str, submission_id: int) -> str:
    """Return the unguessable token of one submission's reply question (128-bit HMAC)."""
    return f"{submission_id}.{signature(secret, f'reply:{submission_id}')}"


def read_reply_token(secret: str, token: str) -> Submission | None:
    """Return the submission a token names, or None for a forged token or erased data."""
    head, _, mac = token.partition(".")
    if not head.isdigit() or len(head) > 18:
        return None
    if not hmac.compare_digest(mac, signature(secret, f"reply:{int(head)}")):
        return None
    submission = db.session.get(Submission, int(head))
    if submission is None or submission.personal_data_removed_at is not None:
        return None
    return submission


def went_out(submission: Submission) -> bool:
    """Tell whether the submission's letters went out (they count), so a reply may come."""
    return submission.counted_at is not None


def questions_due(now: datetime) -> list[Submission]:
    """Return the submissions to ask today, oldest first (see the module's rules)."""
    due: list[Submission] = []
    actions = db.session.scalars(
        select(Action).where(Action.status != ActionStatus.DRAFT, Action.reply_question_days > 0)
    ).all()
    bounced = bounced_addresses()
    for action in actions:
        asked = select(ReplyReport.submission_id).where(ReplyReport.action_id == action.id)
        candidates = db.session.scalars(
            select(Submission)
            .where(
                Submission.action_id == action.id,
                Submission.consent_updates.is_(True),
                Submission.personal_data_removed_at.is_(None),
                Submission.email.isnot(None),
                Submission.email != "",
                Submission.counted_at <= now - timedelta(days=action.reply_question_days),
                Submission.id.not_in(asked),
            )
            .order_by(Submission.id)
        ).all()
        gone = unsubscribed_keys(action.id)
        due += [
            s
            for s in candidates
            if sender_key(s.email) not in gone and not is_bounced(s.email, bounced)
        ]
    return due


def question_email(submission: Submission, settings: MailSettings, token: str) -> tuple[str, str]:
    """Return the question's subject and text in the supporter's language (its links: token's)."""
    action = submission.action
    texts = case_texts(action, submission.language)
    title = texts.title.text or action.title
    with force_locale(submission.language):
        body = render_template(
            "emails/reply_question.txt",
            name=submission.name,
            action_title=title,
            targets=[letter.target.name for letter in submission.letters],
            links=[(label, public_url_for("email.reply_page", token=token, answer=answer.value))
                   for answer, label in ANSWER_LABELS.items()],
            action_url=public_url_for("public.action_page", slug=action.slug),
            organisation=settings.organisation_name,
        ).strip()  # fmt: skip
        subject = _("Did anyone reply to your letters? %(title)s", title=title)
    return subject, body + "\n"


def ask(submission: Submission, settings: MailSettings, secret: str, now: datetime) -> bool:
    """Queue the question to one supporter and record that it was asked (flushes)."""
    subject, body = question_email(submission, settings, reply_token(secret, submission.id))
    try:
        queue_message(
            kind=MessageKind.REPLY_QUESTION,
            action_id=submission.action_id,
            submission_id=submission.id,
            dedupe_key=f"reply:{submission.id}",
            sender=settings.from_address,
            recipient=submission.email or "",
            message_id=make_message_id(settings.message_id_domain, "reply"),
            headers=[("From", settings.sender), ("To", submission.email or ""),
                     ("Subject", subject), ("Content-Language", submission.language)],
            body_text=body,
            now=now,
            language=submission.language,
            link_prefix=settings.public_url,
        )  # fmt: skip
    except HeaderInjectionError:
        return False  # an address we cannot send to: asked never, recorded as not asked
    _upsert(submission, {"asked_at": now})
    return True


def ask_replies(settings: MailSettings, secret: str, now: datetime) -> int:
    """Ask every supporter due today (the daily job); return how many were asked."""
    return sum(ask(s, settings, secret, now) for s in questions_due(now))


def _upsert(submission: Submission, values: dict) -> None:
    insert_ = insert_with_conflicts()
    stmt = insert_(ReplyReport).values(
        submission_id=submission.id, action_id=submission.action_id, **{"note": "", **values}
    )
    db.session.execute(stmt.on_conflict_do_update(index_elements=["submission_id"], set_=values))
    db.session.flush()


def record_answer(submission: Submission, answer: ReplyAnswer, note: str, now: datetime) -> None:
    """Record (or change) a supporter's answer with its optional note."""
    _upsert(submission, {"answer": answer, "note": note.strip()[:NOTE_MAX], "answered_at": now})


def report_of(submission_id: int) -> ReplyReport | None:
    """Return what a submission's supporter reported, if anything."""
    return db.session.scalar(select(ReplyReport).where(ReplyReport.submission_id == submission_id))


def reported_reply_count(action_id: int) -> int:
    """Return how many supporters of an action reported a reply (by post or by email)."""
    return db.session.scalar(
        select(func.count(ReplyReport.id)).where(
            ReplyReport.action_id == action_id, ReplyReport.answer.in_(REPLIED)
        )
    )


@dataclass(frozen=True)
class ReplyCounts:
    """Letters sent, supporters asked, answers and replies by channel: one action or official."""

    name: str
    letters: int
    asked: int
    answers: int
    by_post: int
    by_email: int

    @property
    def replies(self) -> int:
        """Return how many reported a reply, by either channel."""
        return self.by_post + self.by_email


@dataclass(frozen=True)
class ReplyNote:
    """A supporter's note about a reply, for organisers: to whom they wrote, and what came."""

    answered_at: datetime
    answer: ReplyAnswer
    note: str
    officials: list[str]


def _counts_query(*group):
    answer = ReplyReport.answer
    return select(
        *group,
        func.count(Letter.id),
        func.count(ReplyReport.asked_at),
        func.count(answer),
        func.sum(case((answer == ReplyAnswer.POST, 1), else_=0)),
        func.sum(case((answer == ReplyAnswer.EMAIL, 1), else_=0)),
    ).outerjoin(ReplyReport, ReplyReport.submission_id == Letter.submission_id)


def reply_figures(action: Action) -> tuple[ReplyCounts, list[ReplyCounts], list[ReplyNote]]:
    """Return the action's totals, its officials' figures and the notes (organisers only)."""
    per_official = [
        ReplyCounts(name, *(int(n or 0) for n in numbers))
        for _id, name, *numbers in db.session.execute(
            _counts_query(Target.id, Target.name)
            .join(Target, Target.id == Letter.target_id)
            .where(Letter.action_id == action.id, counted_condition())
            .group_by(Target.id, Target.name, Target.position)
            .order_by(Target.position, Target.id)
        )
    ]
    answers = dict(
        db.session.execute(
            select(ReplyReport.answer, func.count(ReplyReport.id))
            .where(ReplyReport.action_id == action.id, ReplyReport.answer.isnot(None))
            .group_by(ReplyReport.answer)
        ).all()
    )
    letters = db.session.scalar(
        select(func.count(Letter.id)).where(Letter.action_id == action.id, counted_condition())
    )
    asked = db.session.scalar(
        select(func.count(ReplyReport.id)).where(
            ReplyReport.action_id == action.id, ReplyReport.asked_at.isnot(None)
        )
    )
    total = ReplyCounts(
        "",
        int(letters or 0),
        int(asked or 0),
        sum(int(n) for n in answers.values()),
        int(answers.get(ReplyAnswer.POST, 0)),
        int(answers.get(ReplyAnswer.EMAIL, 0)),
    )
    return total, per_official, _notes(action.id)


def _notes(action_id: int) -> list[ReplyNote]:
    reports = db.session.scalars(
        select(ReplyReport)
        .where(ReplyReport.action_id == action_id, ReplyReport.note != "")
        .order_by(ReplyReport.answered_at.desc())
    ).all()
    officials: dict[int, list[str]] = {}
    for submission_id, name in db.session.execute(
        select(Letter.submission_id, Target.name)
        .join(Target, Target.id == Letter.target_id)
        .where(Letter.submission_id.in_([r.submission_id for r in reports]))
        .order_by(Letter.id)
    ):
        officials.setdefault(submission_id, []).append(name)
    return [
        ReplyNote(r.answered_at, r.answer, r.note, officials.get(r.submission_id, []))
        for r in reports
        if r.answer is not None and r.answered_at is not None
    ]
