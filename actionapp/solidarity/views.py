"""Organiser pages for solidarity messages: settings, the moderation queue and printed cards."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from actionapp.campaigns.actions import letter_languages
from actionapp.campaigns.lookups import action_or_404
from actionapp.database import write_transaction
from actionapp.letters.forms import PAPER_LABELS, choices_of
from actionapp.models import Delivery, Recipient, Role, SolidarityStatus, utcnow
from actionapp.organisers.access import role_required
from actionapp.printing.pdf import PAPERS, PrintSettings, RenderTimeoutError
from actionapp.printing.pdf.cards import CARDS_MAX, solidarity_cards_pdf
from actionapp.solidarity.messages import (
    DEFAULT_CHARS,
    SettingsValues,
    approved_messages,
    message_queue,
    review_messages,
    save_settings,
    settings_of,
    solidarity_counts,
)
from actionapp.solidarity.moderation_forms import (
    ModerationForm,
    SolidaritySettingsForm,
    avoid_words,
)
from actionapp.web.organise import bp


def _language_choices(action) -> list:
    from actionapp.web.i18n import language_name

    codes = dict.fromkeys(
        [action.language, *letter_languages(action), *current_app.config["LANGUAGES"]]
    )
    return choices_of((code, f"{language_name(code)} ({code})") for code in codes)


@bp.route("/actions/<int:action_id>/solidarity", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def solidarity_settings(action_id: int):
    """Open solidarity messages on an action and set who they go to, how, and the rules."""
    action = action_or_404(action_id)
    settings = settings_of(action)
    form = SolidaritySettingsForm(obj=settings if request.method == "GET" else None)
    form.languages.choices = _language_choices(action)
    if request.method == "GET":
        if settings is None:
            form.languages.data = [action.language]
            form.max_chars.data = DEFAULT_CHARS
        else:
            form.avoid_words.data = "\n".join(settings.avoid_words)
    elif form.validate():
        values = SettingsValues(
            is_open=form.is_open.data,
            recipient=Recipient(form.recipient.data),
            recipient_name=(form.recipient_name.data or "").strip(),
            languages=list(form.languages.data),
            delivery=Delivery(form.delivery.data),
            postal_address=(form.postal_address.data or "").strip(),
            max_chars=form.max_chars.data,
            no_organisation=form.no_organisation.data,
            no_surnames=form.no_surnames.data,
            no_places=form.no_places.data,
            avoid_words=avoid_words(form.avoid_words.data),
            show_on_page=form.show_on_page.data,
        )
        with write_transaction():
            save_settings(action_or_404(action_id), values, utcnow())
        flash(_("Solidarity message settings saved."), "ok")
        return redirect(url_for("organise.solidarity_settings", action_id=action_id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "organise/solidarity_settings.html",
        action=action,
        form=form,
        settings=settings,
        counts=solidarity_counts(action.id),
    ), status


STATUS_TABS = tuple(SolidarityStatus)


@bp.get("/actions/<int:action_id>/solidarity/messages")
@role_required(Role.EDITOR)
def solidarity_messages(action_id: int):
    """The moderation queue: pending messages first; approved and rejected ones on tabs."""
    action = action_or_404(action_id)
    status = request.args.get("status", SolidarityStatus.PENDING.value)
    if status not in STATUS_TABS:
        abort(404)
    return _queue_page(action, SolidarityStatus(status), ModerationForm(formdata=None))


def _queue_page(action, status: SolidarityStatus, form: ModerationForm, code: int = 200):
    return render_template(
        "organise/solidarity_messages.html",
        action=action,
        status=status,
        messages=message_queue(action.id, status),
        form=form,
        counts=solidarity_counts(action.id),
        papers=PAPER_LABELS,
        card_languages=sorted({m.language for m in approved_messages(action.id)}),
    ), code


@bp.post("/actions/<int:action_id>/solidarity/messages")
@role_required(Role.EDITOR)
def review_solidarity(action_id: int):
    """Approve or reject the ticked messages, or the one whose own button was pressed."""
    action = action_or_404(action_id)
    form = ModerationForm()
    # A row's own button sends "approve:<id>" or "reject:<id>" and reviews that message only.
    single = request.form.get("single", "")
    if single:
        decision, _sep, one = single.partition(":")
        form.decision.data = decision
        form.ids.data = [int(one)] if one.isdigit() else []
    back = request.form.get("status", SolidarityStatus.PENDING.value)
    back = SolidarityStatus(back) if back in STATUS_TABS else SolidarityStatus.PENDING
    if not form.validate() or not form.ids.data:
        if not form.ids.data:
            form.ids.errors = [_("Please tick at least one message.")]
        return _queue_page(action, back, form, 422)
    status = (
        SolidarityStatus.APPROVED if form.decision.data == "approve" else SolidarityStatus.REJECTED
    )
    with write_transaction():
        moved = review_messages(
            action_or_404(action_id), form.ids.data, status, form.reason.data or "", utcnow()
        )
    if status == SolidarityStatus.APPROVED:
        flash(ngettext("%(num)d message approved.", "%(num)d messages approved.", moved), "ok")
    else:
        flash(ngettext("%(num)d message rejected.", "%(num)d messages rejected.", moved), "ok")
    return redirect(
        url_for("organise.solidarity_messages", action_id=action_id, status=back.value), 303
    )


@bp.get("/actions/<int:action_id>/solidarity/cards.pdf")
@role_required(Role.EDITOR)
def solidarity_cards(action_id: int):
    """Download the approved messages as cards to print and cut (A4 or US Letter)."""
    action = action_or_404(action_id)
    paper = request.args.get("paper", "a4")
    if paper not in PAPERS:
        abort(404)
    language = request.args.get("language") or None
    messages = approved_messages(action.id, language, limit=CARDS_MAX)
    if not messages:
        flash(_("There are no approved messages to print yet."), "error")
        return redirect(url_for("organise.solidarity_messages", action_id=action_id), 303)
    settings = PrintSettings.from_config(current_app.config, current_app.static_folder)
    try:
        pdf = solidarity_cards_pdf(action, settings_of(action), messages, settings, paper)
    except RenderTimeoutError:
        abort(503)
    response = current_app.response_class(pdf.data, mimetype="application/pdf")
    name = f"solidarity-cards-{action.slug}-{paper}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
