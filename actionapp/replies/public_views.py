"""Supporters report whether an official replied: from the emailed question, or the thanks page."""

from __future__ import annotations

from flask import abort, current_app, make_response, redirect, render_template, request, url_for

from actionapp.database import write_transaction
from actionapp.letters.forms import ReplyForm
from actionapp.letters.record import submission_by_token
from actionapp.models import ReplyAnswer, utcnow
from actionapp.replies.reports import (
    ANSWER_LABELS,
    NOTE_MAX,
    read_reply_token,
    record_answer,
    report_of,
    went_out,
)
from actionapp.web.emailed import bp


def reply_form(submission, chosen: str | None = None) -> ReplyForm:
    """Return the report form, the chosen answer (from the email's link) or the last one set."""
    form = ReplyForm()
    form.answer.choices = [(answer.value, label) for answer, label in ANSWER_LABELS.items()]
    form.note.validators[-1].max = NOTE_MAX
    if request.method == "GET":
        report = report_of(submission.id)
        if chosen in {a.value for a in ReplyAnswer}:
            form.answer.data = chosen
        elif report is not None and report.answer is not None:
            form.answer.data = report.answer.value
        if report is not None:
            form.note.data = report.note
    return form


def _submission_or_404(token: str):
    submission = read_reply_token(current_app.config["SECRET_KEY"], token)
    if submission is None:
        abort(404)
    return submission


def _page(submission, form, done: bool, status: int = 200):
    response = make_response(
        render_template(
            "public/reply.html", action=submission.action, submission=submission, form=form,
            done=done,
        ),
        status,
    )  # fmt: skip
    # Behind an unguessable link: keep it out of caches.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/r/<token>")
def reply_page(token: str):
    """Show the answer chosen in the email, to confirm: following the link records nothing."""
    submission = _submission_or_404(token)
    return _page(submission, reply_form(submission, request.args.get("answer")), done=False)


@bp.post("/r/<token>")
def reply_post(token: str):
    """Record the supporter's answer and note."""
    submission = _submission_or_404(token)
    form = reply_form(submission)
    if not form.validate():
        return _page(submission, form, done=False, status=422)
    with write_transaction():
        record_answer(submission, ReplyAnswer(form.answer.data), form.note.data or "", utcnow())
    return _page(submission, form, done=True)


@bp.post("/actions/<slug>/thanks/<token>/reply")
def thanks_reply(slug: str, token: str):
    """Record a reply reported from the thank-you page, then go back to it."""
    submission = submission_by_token(token)
    if submission is None or submission.action.slug != slug or not went_out(submission):
        abort(404)
    form = reply_form(submission)
    if not form.validate():
        return _page(submission, form, done=False, status=422)
    with write_transaction():
        record_answer(submission, ReplyAnswer(form.answer.data), form.note.data or "", utcnow())
    return redirect(url_for("public.thanks", slug=slug, token=token) + "#reply", 303)


@bp.app_template_global("reply_report_form")
def reply_report_form(submission):
    """Return the thank-you page's report form once the letters went out, else None."""
    return reply_form(submission) if went_out(submission) else None


@bp.app_template_global("reply_recorded")
def reply_recorded(submission) -> bool:
    """Tell whether the supporter has answered, so the thank-you page can say it was recorded."""
    report = report_of(submission.id)
    return report is not None and report.answer is not None
