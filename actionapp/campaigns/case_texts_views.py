"""The action editor, continued: an action's and its updates' texts in each further language."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from actionapp.campaigns.case_texts import save_action_texts, save_update_texts, text_languages
from actionapp.campaigns.editor_views import text_fields
from actionapp.campaigns.forms import ActionTextsForm, UpdateTextsForm
from actionapp.campaigns.lookups import action_or_404
from actionapp.extensions import db
from actionapp.models import Action, ActionUpdate, Role
from actionapp.organisers.access import role_required
from actionapp.web.i18n import language_name
from actionapp.web.organise import bp


def _text_language_or_404(action: Action, language: str) -> str:
    """Return the language if the action's texts may be written in it, or answer 404."""
    codes = text_languages(action.language, current_app.config["LANGUAGES"])
    if language not in codes:
        abort(404)
    return language


@bp.route("/actions/<int:action_id>/texts/<language>", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def action_texts(action_id: int, language: str):
    """Write the action's texts in one more language; empty texts fall back to its own."""
    action = action_or_404(action_id)
    # The action's own texts are edited with its settings (some are required there).
    if language == action.language:
        return redirect(url_for("organise.edit_action", action_id=action.id), 303)
    _text_language_or_404(action, language)
    # Only a GET starts from the saved texts: a POST is judged on what was sent alone.
    form = ActionTextsForm(obj=action.text_in(language) if request.method == "GET" else None)
    if request.method == "POST" and form.validate():
        save_action_texts(action, language, text_fields(form))
        db.session.commit()
        flash(_("The texts in %(language)s were saved.", language=language_name(language)), "ok")
        return redirect(url_for("organise.action_overview", action_id=action.id) + "#texts", 303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "organise/texts_form.html",
        action=action,
        form=form,
        language=language,
        own=action.text_in(action.language),
    ), status


def _update_or_404(action: Action, update_id: int) -> ActionUpdate:
    update = next((u for u in action.updates if u.id == update_id), None)
    if update is None:
        abort(404)
    return update


@bp.route(
    "/actions/<int:action_id>/updates/<int:update_id>/texts/<language>", methods=["GET", "POST"]
)
@role_required(Role.EDITOR)
def update_texts(action_id: int, update_id: int, language: str):
    """Write an update's title and text in one language."""
    action = action_or_404(action_id)
    update = _update_or_404(action, update_id)
    _text_language_or_404(action, language)
    row = update.text_in(language)
    form = UpdateTextsForm(obj=row if request.method == "GET" else None)
    valid = request.method == "POST" and form.validate()
    if valid and language == action.language and not (form.title.data or "").strip():
        form.title.errors = [_("The update needs a title in the action's own language.")]
        valid = False
    if valid:
        save_update_texts(
            update, language, (form.title.data or "").strip(), (form.body.data or "").strip()
        )
        db.session.commit()
        flash(_("The update in %(language)s was saved.", language=language_name(language)), "ok")
        return redirect(url_for("organise.action_overview", action_id=action.id) + "#updates", 303)
    own = update.text_in(action.language)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "organise/update_texts_form.html",
        action=action,
        update=update,
        form=form,
        language=language,
        own=own,
    ), status
