"""What the follow-up rules say, in the interface language (the editor's forms)."""

from __future__ import annotations

from flask_babel import gettext as _

from actionapp.campaigns.follow_ups import FollowUpError


def follow_up_message(error: FollowUpError) -> str:
    """Return the sentence for a follow-up link the rules refuse."""
    if error.code == "itself":
        return _("An action cannot follow up on itself.")
    if error.code == "cycle":
        return _(
            "“%(title)s” already follows up on this action: choose an earlier one.",
            title=error.values["title"],
        )
    if error.code == "too_long":
        return _("A case can have at most %(num)d actions in a row.", num=error.values["maximum"])
    if error.code == "not_a_follow_up":
        return _("Choose an action that follows up on this one.")
    return _("This action no longer exists: choose another.")
