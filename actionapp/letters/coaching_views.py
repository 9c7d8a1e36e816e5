"""The action editor, continued: the organisers' own words for the composer's tone coaching."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from actionapp.campaigns.forms import CoachingWordsForm, phrase_lines
from actionapp.campaigns.lookups import action_or_404
from actionapp.database import write_transaction
from actionapp.letters.coaching import PHRASE_KINDS, tone_words
from actionapp.models import Role
from actionapp.organisers.access import role_required
from actionapp.web.organise import bp


@bp.route("/actions/<int:action_id>/coaching", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def coaching_words(action_id: int):
    """Add words and phrases the composer points out in this action's letters."""
    action = action_or_404(action_id)
    form = CoachingWordsForm()
    if request.method == "GET":
        for kind in PHRASE_KINDS:
            form[kind.value].data = "\n".join((action.coaching_words or {}).get(kind.value, []))
    elif form.validate():
        words = {kind.value: phrase_lines(form[kind.value].data) for kind in PHRASE_KINDS}
        with write_transaction():
            action_or_404(action_id).coaching_words = {k: v for k, v in words.items() if v}
        flash(_("Coaching words saved."), "ok")
        return redirect(url_for("organise.coaching_words", action_id=action_id), 303)
    return render_template(
        "organise/coaching_words.html",
        action=action,
        form=form,
        built_in=tone_words(),
    ), (422 if request.method == "POST" else 200)
