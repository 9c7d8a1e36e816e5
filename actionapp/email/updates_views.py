"""The action editor, continued: emailing an update to the supporters who asked for news."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from actionapp.campaigns.follow_ups import invited_follow_up, is_published
from actionapp.campaigns.lookups import action_or_404
from actionapp.database import write_transaction
from actionapp.email.messages import mail_settings
from actionapp.email.update_figures import update_figures
from actionapp.email.updates import (
    TOKEN_MARK,
    prepare_update,
    queue_test,
    queue_update,
    unsubscribe_url,
    update_email,
    update_recipients,
    was_sent,
)
from actionapp.models import Action, ActionUpdate, Role, utcnow
from actionapp.organisers.access import current_organiser, role_required
from actionapp.web.i18n import language_name
from actionapp.web.organise import bp


def _update_or_404(action: Action, update_id: int) -> ActionUpdate:
    update = next((u for u in action.updates if u.id == update_id), None)
    if update is None:
        abort(404)
    return update


@bp.get("/actions/<int:action_id>/updates/<int:update_id>/email")
@role_required(Role.EDITOR)
def update_email_confirm(action_id: int, update_id: int):
    """Show who an update would go to and the email in each of their languages."""
    action = action_or_404(action_id)
    update = _update_or_404(action, update_id)
    settings = mail_settings(current_app.config)
    recipients = update_recipients(action)
    # Every language a supporter may read it in: the action's, the interface's, the recipients'.
    languages = list(
        dict.fromkeys(
            [action.language, *current_app.config["LANGUAGES"],
             *sorted({r.language for r in recipients})]
        )
    )  # fmt: skip
    per_language = {code: sum(r.language == code for r in recipients) for code in languages}
    # Each supporter's own link goes in when queued; the preview shows where it stands.
    link = unsubscribe_url(TOKEN_MARK).replace(TOKEN_MARK, "…")
    previews = [
        (update_email(action, update, code, settings, link), per_language[code])
        for code in languages
    ]
    return render_template(
        "organise/update_email.html",
        action=action,
        update=update,
        recipients=len(recipients),
        previews=previews,
        sent=update_figures(action.id).get(update.id),
        organiser_email=current_organiser().email,
        waiting_follow_up=_unpublished_follow_up(action, update),
    )


def _unpublished_follow_up(action: Action, update: ActionUpdate) -> Action | None:
    """Return the follow-up the update invites to while it is not yet published (or None)."""
    follow_up = invited_follow_up(update, action)
    return follow_up if follow_up is not None and not is_published(follow_up) else None


@bp.post("/actions/<int:action_id>/updates/<int:update_id>/email/test")
@role_required(Role.EDITOR)
def update_email_test(action_id: int, update_id: int):
    """Send the update in one language to the signed-in organiser only, as a test."""
    action = action_or_404(action_id)
    update = _update_or_404(action, update_id)
    language = request.form.get("language", "")
    if language not in {action.language, *current_app.config["LANGUAGES"]} and not any(
        r.language == language for r in update_recipients(action)
    ):
        abort(400)
    settings = mail_settings(current_app.config)
    with write_transaction():
        queue_test(action, update, language, current_organiser().email, settings,
                   current_app.config["SECRET_KEY"], utcnow())  # fmt: skip
    flash(
        _("A test in %(language)s is on its way to %(address)s; nobody else receives it.",
          language=language_name(language), address=current_organiser().email),
        "ok",
    )  # fmt: skip
    return redirect(url_for("organise.update_email_confirm", action_id=action_id,
                            update_id=update_id), 303)  # fmt: skip


@bp.post("/actions/<int:action_id>/updates/<int:update_id>/email")
@role_required(Role.EDITOR)
def update_email_send(action_id: int, update_id: int):
    """Queue the update to its recipients, once: a second post only shows what went."""
    settings = mail_settings(current_app.config)
    action = action_or_404(action_id)
    update = _update_or_404(action, update_id)
    # Built outside the write transaction (slow); a double post builds twice, queues once.
    prepared = (
        None
        if was_sent(update.id)
        else prepare_update(action, update, settings, current_app.config["SECRET_KEY"])
    )
    queued = None
    if prepared is not None:
        with write_transaction():
            queued = queue_update(prepared, settings, utcnow())
    if queued is None:
        flash(_("This update was already emailed; it is not sent again."), "error")
    else:
        message = ngettext(
            "The update is on its way to %(num)d supporter.",
            "The update is on its way to %(num)d supporters.",
            queued,
        )
        flash(message, "ok")
    return redirect(url_for("organise.action_overview", action_id=action_id) + "#updates", 303)
