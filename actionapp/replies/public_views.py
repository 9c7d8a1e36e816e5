"""Supporters report whether an official replied: from the emailed question, or the thanks page."""

from __future__ import annotations

from flask import abort, current_app, make_response, redirect, render_template, request, url_for

from actionapp.campaigns.case_texts import case_texts
from actionapp.database import write_transaction
from actionapp.letters.forms import reply_form
from actionapp.letters.record import submission_by_token
from actionapp.models import ReplyAnswer, utcnow
from actionapp.replies.reports import (
    read_reply_token,
    record_answer,
    went_out,
)
from actionapp.web.emailed import bp
from actionapp.web.i18n import interface_language


def _submission_or_404(token: str):
    submission = read_reply_token(current_app.config["SECRET_KEY"], token)
    if submission is None:
        abort(404)
    return submission


def _page(submission, form, done: bool, status: int = 200):
    response = make_response(
        render_template(
            "public/reply.html", action=submission.action, submission=submission, form=form,
            texts=case_texts(submission.action, interface_language()), done=done,
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
