"""Did the officials reply? What supporters reported, per action and per official."""

from __future__ import annotations

from flask import render_template

from actionapp.campaigns.lookups import action_or_404
from actionapp.models import Role
from actionapp.organisers.access import role_required
from actionapp.replies.reports import ANSWER_LABELS, reply_figures
from actionapp.web.organise import bp


@bp.get("/actions/<int:action_id>/replies")
@role_required(Role.VIEWER)
def replies(action_id: int):
    """Show letters sent, supporters asked, answers and replies by channel, with the notes."""
    action = action_or_404(action_id)
    total, officials, notes = reply_figures(action)
    return render_template(
        "organise/replies.html", action=action, total=total, officials=officials, notes=notes,
        labels=ANSWER_LABELS,
    )  # fmt: skip
