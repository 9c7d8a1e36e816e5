"""What the organiser account rules say, in the interface language (pages) or English (CLI)."""

from __future__ import annotations

from flask_babel import gettext as _

from actionapp.email.addresses import address_message
from actionapp.organisers.accounts import OrganiserError


def organiser_error_message(error: OrganiserError) -> str:
    """Return the sentence for a refused account change."""
    if error.code == "password_too_short":
        return _(
            "The password must have at least %(min_length)s characters.",
            min_length=error.values["min_length"],
        )
    if error.code == "email_refused":
        return _(
            "%(email)s is not an email address we can send to: %(reason)s",
            email=error.values["email"],
            reason=address_message(error.values["problem"]),
        )
    if error.code == "email_taken":
        return _(
            "An organiser with the email %(email)s exists already.", email=error.values["email"]
        )
    if error.code == "last_admin":
        return _("This is the last active administrator: the account stays as it is.")
    return _("This change cannot be made.")
