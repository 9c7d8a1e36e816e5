"""Public JSON: an action's texts in the asked language, its status and counts."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify

from actionapp.campaigns.actions import action_state, published_action
from actionapp.campaigns.case_texts import case_texts
from actionapp.models import utcnow
from actionapp.solidarity.messages import solidarity_counts
from actionapp.stats.counts import action_counts
from actionapp.web.i18n import requested_language

bp = Blueprint("api", __name__)


@bp.get("/actions/<slug>")
def action_detail(slug: str):
    """Return an action's title and summary in the asked language, status and exact counts.

    `language` is the language asked for (?lang=, else as pages negotiate it); each text says
    the language it is written in, which differs where it falls back to the action's own.
    """
    action = published_action(slug)
    if action is None:
        abort(404)
    language = requested_language()
    texts = case_texts(action, language)
    state = action_state(action, utcnow())
    response = jsonify(
        slug=action.slug,
        language=language,
        title=texts.title.text,
        title_language=texts.title.language,
        summary=texts.summary.text,
        summary_language=texts.summary.language,
        status=state.status,
        accepting_letters=state.accepting,
        deadline=action.deadline.isoformat() + "Z",
        goal=action.goal,
        counts=action_counts(action.id).as_dict(),
        # Messages to the person or their family: counted apart, never as letters.
        solidarity_messages=solidarity_counts(action.id).as_dict(),
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Language"] = language
    response.vary.update(("Accept-Language", "Cookie"))
    return response
