"""The email channels' pages: confirming an emailed letter, and "I've sent it" for mailto."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, make_response, redirect, render_template, request
from flask import url_for as flask_url_for
from sqlalchemy.exc import IntegrityError

from actionapp.campaigns.actions import FollowUp, action_state, submission_follow_up
from actionapp.campaigns.case_texts import case_texts
from actionapp.database import write_transaction
from actionapp.email.channels import (
    ConfirmationExpiredError,
    confirm_submission,
    mark_mailto_sent,
    submission_by_confirm_token,
)
from actionapp.email.messages import mail_settings
from actionapp.letters.record import ActionClosedError, submission_by_token
from actionapp.models import Submission, utcnow
from actionapp.web.emailed import bp
from actionapp.web.errors import too_late_page
from actionapp.web.i18n import interface_language


def _thanks_url(submission: Submission) -> str:
    return flask_url_for(
        "public.thanks", slug=submission.action.slug, token=submission.public_token
    )


def _private(response):
    # The page sits behind an unguessable link and names the supporter: keep it out of caches.
    response.headers["Cache-Control"] = "no-store"
    return response


def _confirm_page(submission: Submission, status: int = 200, problem: str = ""):
    return _private(
        make_response(
            render_template(
                "public/confirm.html",
                submission=submission,
                action=submission.action,
                texts=case_texts(submission.action, interface_language()),
                state=action_state(submission.action, utcnow()),
                problem=problem,
            ),
            status,
        )
    )


@bp.get("/confirm/<token>")
def confirm_page(token: str):
    """Show the letters and a Confirm button; following the link alone confirms nothing."""
    submission = submission_by_confirm_token(token)
    if submission is None:
        abort(404)
    if submission.confirmed_at is not None:
        return redirect(_thanks_url(submission), 303)
    follow_up = submission_follow_up(submission, utcnow(), timedelta(0))
    if follow_up != FollowUp.OPEN:
        return _confirm_page(submission, 410, follow_up.value)
    return _confirm_page(submission)


@bp.post("/confirm/<token>")
def confirm(token: str):
    """Confirm the supporter's address: the letters count and go to their targets."""
    settings = mail_settings(current_app.config)
    for attempt in (1, 2):
        try:
            with write_transaction():
                submission = submission_by_confirm_token(token, for_update=True)
                if submission is None:
                    abort(404)
                confirm_submission(submission, settings, utcnow())
                target = _thanks_url(submission)
            return redirect(target, 303)
        except ConfirmationExpiredError:
            return _confirm_page(submission_by_confirm_token(token), 410, "expired")
        except ActionClosedError:
            return _confirm_page(submission_by_confirm_token(token), 410, "closed")
        except IntegrityError:
            # PostgreSQL: another submission from this address was confirmed at the same
            # moment for the same target. Once more: this time we see it and skip it.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@bp.post("/actions/<slug>/thanks/<token>/sent")
def mailto_sent(slug: str, token: str):
    """Count the letters the supporter sent from their own mail app ("I've sent it")."""
    choice = request.form.get("letter", "all")
    letter_ids = None if choice == "all" else ({int(choice)} if choice.isdigit() else set())
    days = int(current_app.config["CONFIRM_DAYS"])
    with write_transaction():
        submission = submission_by_token(token, for_update=True)
        if submission is None or submission.action.slug != slug:
            abort(404)
        follow_up = submission_follow_up(submission, utcnow(), timedelta(days=days))
        if follow_up != FollowUp.OPEN:
            return too_late_page(follow_up.value, days)
        mark_mailto_sent(submission, letter_ids, utcnow())
    return redirect(flask_url_for("public.thanks", slug=slug, token=token) + "#sent", 303)
