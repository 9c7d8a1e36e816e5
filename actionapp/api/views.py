"""Public JSON: counts per action."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify

from actionapp.models import utcnow
from actionapp.services.actions import action_state, published_action
from actionapp.services.counts import action_counts

bp = Blueprint("api", __name__)


@bp.get("/actions/<slug>")
def action_detail(slug: str):
    """Return an action's status and exact counts."""
    action = published_action(slug)
    if action is None:
        abort(404)
    state = action_state(action, utcnow())
    response = jsonify(
        slug=action.slug,
        title=action.title,
        status=state.status,
        accepting_letters=state.accepting,
        deadline=action.deadline.isoformat() + "Z",
        goal=action.goal,
        counts=action_counts(action.id).as_dict(),
    )
    response.headers["Cache-Control"] = "no-store"
    return response
