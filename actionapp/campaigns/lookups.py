"""Finding the action a URL names, or answering 404: the one lookup every view uses."""

from __future__ import annotations

from flask import abort

from actionapp.campaigns.actions import published_action
from actionapp.extensions import db
from actionapp.models import Action


def action_or_404(action_id: int) -> Action:
    """Return the action with this id (any status, for organisers), or answer 404."""
    action = db.session.get(Action, action_id)
    if action is None:
        abort(404)
    return action


def published_or_404(slug: str) -> Action:
    """Return the published action with this slug (open or closed), or answer 404."""
    action = published_action(slug)
    if action is None:
        abort(404)
    return action
