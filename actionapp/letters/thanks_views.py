"""The thank-you page: what became of the supporter's letters and what they can do next.

Everything the page and its per-channel parts show is read here and passed to the template
(the mailto: links, the paper to print on, the reply form), not looked up by the template.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, make_response, render_template

from actionapp.campaigns.actions import action_state
from actionapp.campaigns.case_texts import case_texts
from actionapp.campaigns.lookups import published_or_404
from actionapp.email.channels import mailto_letters
from actionapp.letters.forms import reply_form
from actionapp.letters.progress import submission_progress
from actionapp.letters.record import submission_by_token
from actionapp.models import Channel, Submission, utcnow
from actionapp.printing.pdf import choose_paper
from actionapp.printing.pdf.documents import postage_notes
from actionapp.replies.reports import report_of, went_out
from actionapp.stats.counts import action_counts
from actionapp.web.i18n import interface_language
from actionapp.web.links import public_url_for
from actionapp.web.public import bp


def _channel_values(submission: Submission) -> dict[str, Any]:
    """Return what the part of the page for the submission's channel shows."""
    if submission.channel == Channel.MAILTO:
        counting = current_app.config["MAIL_COUNTING_ADDRESS"]
        return {"mailto_links": mailto_letters(submission, counting)}
    if submission.channel == Channel.PRINT:
        return {"paper": choose_paper(None, submission.paper, submission.country).name}
    return {}


def _reply_values(submission: Submission) -> dict[str, Any]:
    """Return the "Did anyone reply?" form once the letters went out, and if it was answered."""
    if not went_out(submission):
        return {"reply_form": None, "reply_recorded": False}
    report = report_of(submission.id)
    return {
        "reply_form": reply_form(submission),
        "reply_recorded": report is not None and report.answer is not None,
    }


@bp.get("/actions/<slug>/thanks/<token>")
def thanks(slug: str, token: str):
    """Thank the supporter and offer the next steps for their channel."""
    action = published_or_404(slug)
    submission = submission_by_token(token)
    if submission is None or submission.action_id != action.id:
        abort(404)
    response = make_response(
        render_template(
            "public/thanks.html",
            action=action,
            texts=case_texts(action, interface_language()),
            submission=submission,
            state=action_state(action, utcnow()),
            counts=action_counts(action.id),
            postage=postage_notes(submission),
            letters_progress=submission_progress(submission),
            # Given to friends: the public address, whatever host this request came in on.
            share_url=public_url_for("public.action_page", slug=action.slug),
            **_channel_values(submission),
            **_reply_values(submission),
        )
    )
    # The page carries personal details behind an unguessable link: keep it out of caches.
    response.headers["Cache-Control"] = "no-store"
    return response
