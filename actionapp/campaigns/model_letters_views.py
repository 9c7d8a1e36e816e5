"""The action editor, continued: model letters with their checks and previews, and updates."""

from __future__ import annotations

from datetime import datetime

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from actionapp.campaigns.actions import primary_targets
from actionapp.campaigns.editing import (
    ModelLetterFields,
    add_update,
    model_letter_problems,
    remove_model_letter,
    save_model_letter,
)
from actionapp.campaigns.follow_ups import FollowUpError, follow_up_choices
from actionapp.campaigns.forms import (
    ModelLetterForm,
    UpdateForm,
    subject_lines,
)
from actionapp.campaigns.lookups import action_or_404
from actionapp.campaigns.messages import follow_up_message
from actionapp.campaigns.model_letters import (
    TemplateProblem,
    check_model_template,
    placeholder_list,
)
from actionapp.extensions import db
from actionapp.letters.compose import LetterText, SupporterDetails, letter_from_model
from actionapp.letters.forms import PERSONAL_MAX, choices_of
from actionapp.models import (
    Action,
    Letter,
    ModelLetter,
    Role,
    Submission,
    Target,
    utcnow,
)
from actionapp.organisers.access import role_required
from actionapp.printing.pdf import (
    PAPERS,
    DocumentTooLargeError,
    LetterOptions,
    PrintSettings,
    RenderTimeoutError,
    letters_pdf,
)
from actionapp.printing.pdf.checks import model_letter_print_problems
from actionapp.web.organise import bp


def _letter_or_404(action: Action, letter_id: int) -> ModelLetter:
    letter = next((m for m in action.model_letters if m.id == letter_id), None)
    if letter is None:
        abort(404)
    return letter


def _letter_fields(form: ModelLetterForm) -> ModelLetterFields:
    return ModelLetterFields(
        variant=(form.variant.data or "").strip(),
        language=(form.language.data or "").strip(),
        label=(form.label.data or "").strip(),
        locked=bool(form.locked.data),
        subjects=subject_lines(form.subjects.data),
        closing=(form.closing.data or "").strip(),
        body=(form.body.data or "").replace("\r\n", "\n").strip(),
    )


def preview_letter(action: Action, values: ModelLetterFields, now: datetime) -> LetterText:
    """Write a model letter (saved or not) as an example supporter would send it."""
    draft = ModelLetter(
        variant=values.variant,
        language=values.language,
        label=values.label,
        locked=True,  # show the organiser's text, never an edit
        subjects=values.subjects,
        closing=values.closing,
        body=values.body,
    )
    target = next(iter(primary_targets(action)), None) or Target(
        name=_("Example recipient"), language=values.language, salutations={}
    )
    details = SupporterDetails(
        name=_("Alex Example"),
        city=_("Leeds"),
        country="GB",
        language=values.language,
        variant=values.variant,
        personal_message=_("This is where the supporter's own paragraph goes."),
        seed="preview",
    )
    return letter_from_model(draft, details, target, now.date())


def _print_problems(action: Action, values: ModelLetterFields) -> list[TemplateProblem]:
    """Check that the letter prints within the page limit on every paper (renders it)."""
    draft = ModelLetter(
        variant=values.variant, language=values.language, label=values.label, locked=True,
        subjects=values.subjects, closing=values.closing, body=values.body,
    )  # fmt: skip
    settings = PrintSettings.from_config(current_app.config, current_app.static_folder)
    try:
        found = model_letter_print_problems(action, draft, settings, PERSONAL_MAX, utcnow())
    except RenderTimeoutError:
        found = [_("Checking how the letter prints took too long. Please try again.")]
    return [TemplateProblem(0, message) for message in found]


def _letter_page(action, letter, form, problems=(), preview=None, status=200):
    return render_template(
        "organise/letter_form.html",
        action=action,
        letter=letter,
        form=form,
        problems=problems,
        preview=preview,
        placeholders=placeholder_list(),
    ), status


def _edit_letter(action: Action, letter: ModelLetter | None):
    form = ModelLetterForm(obj=letter if request.method == "GET" else None)
    if request.method == "GET":
        if letter is not None:
            form.subjects.data = "\n".join(letter.subjects)
        else:
            form.language.data = action.language
        preview = preview_letter(action, _letter_fields(form), utcnow()) if letter else None
        return _letter_page(action, letter, form, preview=preview)
    valid = form.validate()
    values = _letter_fields(form)
    problems = model_letter_problems(action, letter, values)
    if not valid or problems:
        # A template with problems is shown with them and never rendered.
        return _letter_page(action, letter, form, problems, None, 422)
    if request.form.get("step") == "preview":
        return _letter_page(action, letter, form, preview=preview_letter(action, values, utcnow()))
    too_long = _print_problems(action, values)
    if too_long:
        return _letter_page(action, letter, form, too_long, None, 422)
    saved = save_model_letter(action, letter, values)
    db.session.commit()
    flash(_("The model letter was saved."), "ok")
    return redirect(url_for("organise.edit_letter", action_id=action.id, letter_id=saved.id), 303)


@bp.route("/actions/<int:action_id>/letters/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def new_letter(action_id: int):
    """Add a model letter in one language."""
    return _edit_letter(action_or_404(action_id), None)


@bp.route("/actions/<int:action_id>/letters/<int:letter_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def edit_letter(action_id: int, letter_id: int):
    """Change a model letter; the preview shows it as a supporter would send it."""
    action = action_or_404(action_id)
    return _edit_letter(action, _letter_or_404(action, letter_id))


@bp.post("/actions/<int:action_id>/letters/preview")
@role_required(Role.EDITOR)
def letter_preview(action_id: int):
    """Return the preview of the letter being edited as an HTML fragment (live preview)."""
    action = action_or_404(action_id)
    form = ModelLetterForm()
    values = _letter_fields(form)
    problems = model_letter_problems(action, None, values) if values.body else []
    problems = [p for p in problems if p.line or "already has" not in str(p.message)]
    letter = preview_letter(action, values, utcnow()) if values.body and not problems else None
    return render_template(
        "organise/_letter_preview.html", action=action, preview=letter, problems=problems
    )


@bp.get("/actions/<int:action_id>/letters/<int:letter_id>/preview.pdf")
@role_required(Role.EDITOR)
def letter_preview_pdf(action_id: int, letter_id: int):
    """Show a saved model letter as the printed PDF an example supporter would download."""
    action = action_or_404(action_id)
    model = _letter_or_404(action, letter_id)
    values = ModelLetterFields(
        variant=model.variant, language=model.language, label=model.label, locked=model.locked,
        subjects=list(model.subjects), closing=model.closing, body=model.body,
    )  # fmt: skip
    if check_model_template(model.body):
        abort(422)  # never rendered: the editor page lists the problems
    now = utcnow()
    written = preview_letter(action, values, now)
    # A sample supporter that is never added to the session, so nothing is saved.
    sample = Submission(
        action=action, name=written.signature_name, city=_("Leeds"), country="GB",
        street_address="", language=model.language, personal_message="", paper="",
    )  # fmt: skip
    sample.letters.append(
        Letter(target=written.target, language=written.language, subject=written.subject,
               salutation=written.salutation, body=written.body, closing=written.closing,
               personal_message=written.personal_message, date_text=written.date_text,
               signature_name=written.signature_name,
               signature_place=written.signature_place)
    )  # fmt: skip
    paper = request.args.get("paper")
    settings = PrintSettings.from_config(current_app.config, current_app.static_folder)
    try:
        pdf = letters_pdf(
            sample, settings, LetterOptions(paper=paper if paper in PAPERS else None, guide=False),
            now,
        )  # fmt: skip
    except RenderTimeoutError:
        abort(503)
    except DocumentTooLargeError:
        abort(413)
    response = Response(pdf.data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="preview-{model.variant}-{model.language}.pdf"'
    )
    return response


@bp.post("/actions/<int:action_id>/letters/<int:letter_id>/delete")
@role_required(Role.EDITOR)
def delete_letter(action_id: int, letter_id: int):
    """Remove a model letter (a live action keeps at least one in its own language)."""
    action = action_or_404(action_id)
    letter = _letter_or_404(action, letter_id)
    if remove_model_letter(action, letter):
        db.session.commit()
        flash(_("The model letter was removed."), "ok")
    else:
        flash(_("A live action needs a model letter in its own language: this one stays."),
              "error")  # fmt: skip
    return redirect(url_for("organise.action_overview", action_id=action.id) + "#letters", 303)


# --- updates ----------------------------------------------------------------------------------


def follow_up_options(action: Action) -> list:
    """Return the choices of a follow-up an update may invite to: none, or one of them."""
    return choices_of(
        [("", _("None")),
         *((str(a.id), f"{a.title} ({a.slug})") for a in follow_up_choices(action))]
    )  # fmt: skip


@bp.route("/actions/<int:action_id>/updates/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def new_update(action_id: int):
    """Add news or an outcome to the action page."""
    action = action_or_404(action_id)
    form = UpdateForm()
    form.follow_up_id.choices = follow_up_options(action)
    if request.method == "POST" and form.validate():
        now = utcnow()
        when = (
            datetime.combine(form.published_on.data, now.time()) if form.published_on.data else now
        )
        follow_up_id = int(form.follow_up_id.data) if form.follow_up_id.data else None
        try:
            add_update(action, form.outcome.data or "", form.title.data.strip(),
                       form.body.data or "", when, follow_up_id)  # fmt: skip
        except FollowUpError as error:
            form.follow_up_id.errors = [follow_up_message(error)]
        else:
            db.session.commit()
            flash(_("The update is on the action page."), "ok")
            return redirect(
                url_for("organise.action_overview", action_id=action.id) + "#updates", 303
            )
    status = 422 if request.method == "POST" else 200
    return render_template("organise/update_form.html", action=action, form=form), status


@bp.post("/actions/<int:action_id>/updates/<int:update_id>/delete")
@role_required(Role.EDITOR)
def delete_update(action_id: int, update_id: int):
    """Remove an update."""
    action = action_or_404(action_id)
    update = next((u for u in action.updates if u.id == update_id), None)
    if update is None:
        abort(404)
    action.updates.remove(update)
    db.session.commit()
    flash(_("The update was removed."), "ok")
    return redirect(url_for("organise.action_overview", action_id=action.id) + "#updates", 303)
