"""The action editor: actions, their image, targets and diplomatic copies."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from actionapp.campaigns.case_texts import (
    TEXT_LABELS,
    ActionTextFields,
    texts_of,
    translation_warnings,
)
from actionapp.campaigns.editing import (
    ActionFields,
    close_action,
    create_action,
    delete_action,
    embassy_conflict,
    language_change_lacks,
    letters_to,
    parse_salutations,
    publish_action,
    salutations_text,
    same_official,
    save_target,
    slug_taken,
    update_action,
)
from actionapp.campaigns.editing import import_embassies as import_embassy_rows
from actionapp.campaigns.forms import (
    ActionForm,
    ConfirmForm,
    EmbassyImportForm,
    ImageForm,
    TargetForm,
)
from actionapp.campaigns.images import ImageRejectedError, remove_stored_image, store_action_image
from actionapp.campaigns.lookups import action_or_404
from actionapp.campaigns.models import REPLY_QUESTION_DAYS
from actionapp.campaigns.target_checks import TargetFields, clean_target
from actionapp.extensions import db
from actionapp.letters.forms import choices_of
from actionapp.models import (
    Role,
    Target,
    TargetKind,
    utcnow,
)
from actionapp.organisers.access import current_organiser, role_required
from actionapp.web.i18n import country_choices, interface_language, language_name
from actionapp.web.organise import bp

# Endpoints that take files; they may receive more than the usual request size limit.
UPLOAD_ENDPOINTS = frozenset({"organise.action_image", "organise.import_embassies"})


def _countries(blank: str) -> list:
    return choices_of([("", blank), *country_choices(interface_language())])


# --- actions ----------------------------------------------------------------------------------


def _action_fields(form: ActionForm) -> ActionFields:
    return ActionFields(
        slug=form.slug.data.strip(),
        ua_number=(form.ua_number.data or "").strip(),
        image_alt=(form.image_alt.data or "").strip(),
        language=form.language.data.strip(),
        target_country=form.target_country.data or "",
        goal=form.goal.data,
        deadline=form.deadline.data,
        post_days=form.post_days.data,
        require_email_confirmation=bool(form.require_email_confirmation.data),
        mail_rate_per_hour=form.mail_rate_per_hour.data,
        retention_days=form.retention_days.data,
        reply_question_days=(
            REPLY_QUESTION_DAYS
            if form.reply_question_days.data is None
            else form.reply_question_days.data
        ),
        show_reply_count=bool(form.show_reply_count.data),
    )


def text_fields(form) -> ActionTextFields:
    """Read a form's case texts (the action form's, or another language's), stripped."""
    return ActionTextFields(
        **{f.name: (form[f.name].data or "").strip() for f in fields(ActionTextFields)}
    )


def _action_form(action=None) -> ActionForm:
    # Only a GET starts from the saved values: a POST is judged on what was sent alone.
    if action is not None and request.method == "GET":
        form = ActionForm(obj=action, data=asdict(texts_of(action, action.language)))
    else:
        form = ActionForm()
    form.target_country.choices = _countries(_("Not set"))
    if action is None and request.method == "GET":
        now = utcnow()
        form.language.data = "en"
        form.goal.data = 1000
        form.deadline.data = (now + timedelta(days=30)).replace(
            hour=23, minute=59, second=0, microsecond=0
        )
        form.post_days.data = 10
        form.require_email_confirmation.data = True
        form.mail_rate_per_hour.data = 30
        form.retention_days.data = 30
        form.reply_question_days.data = REPLY_QUESTION_DAYS
    return form


def _save_action(form: ActionForm, action=None):
    if not form.validate():
        return None
    values = _action_fields(form)
    texts = text_fields(form)
    if slug_taken(values.slug, action.id if action else None):
        form.slug.errors = [_("Another action uses this web address already.")]
        return None
    lacking = language_change_lacks(action, values.language) if action else []
    if lacking:
        form.language.errors = [
            _("To make %(language)s the action's language, first write its %(texts)s "
              "(Texts per language).", language=language_name(values.language),
              texts=", ".join(str(TEXT_LABELS[name]) for name in lacking))
        ]  # fmt: skip
        return None
    if action is None:
        action = create_action(values, texts, utcnow())
    else:
        update_action(action, values, texts)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.slug.errors = [_("Another action uses this web address already.")]
        return None
    return action


@bp.route("/actions/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def new_action():
    """Create a draft action."""
    form = _action_form()
    if request.method == "POST":
        action = _save_action(form)
        if action is not None:
            flash(_("The draft action was created. Add targets and a model letter next."), "ok")
            return redirect(url_for("organise.action_overview", action_id=action.id), 303)
        return render_template("organise/action_form.html", form=form, action=None), 422
    return render_template("organise/action_form.html", form=form, action=None)


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def edit_action(action_id: int):
    """Change an action's texts and settings."""
    action = action_or_404(action_id)
    form = _action_form(action)
    if request.method == "POST":
        if _save_action(form, action) is not None:
            flash(_("Saved."), "ok")
            return redirect(url_for("organise.action_overview", action_id=action.id), 303)
        return render_template("organise/action_form.html", form=form, action=action), 422
    return render_template("organise/action_form.html", form=form, action=action)


@bp.post("/actions/<int:action_id>/publish")
@role_required(Role.EDITOR)
def publish(action_id: int):
    """Open the action for letters."""
    action = action_or_404(action_id)
    problems = publish_action(action, utcnow())
    if problems:
        for problem in problems:
            flash(str(problem), "error")
    else:
        db.session.commit()
        flash(_("The action is live."), "ok")
        # Warnings, never blockers: an action may go live in its own language only.
        for warning in translation_warnings(action, current_app.config["LANGUAGES"]):
            flash(str(warning), "warning")
    return redirect(url_for("organise.action_overview", action_id=action.id), 303)


@bp.post("/actions/<int:action_id>/close")
@role_required(Role.EDITOR)
def close(action_id: int):
    """Stop taking letters."""
    action = action_or_404(action_id)
    close_action(action, utcnow())
    db.session.commit()
    flash(_("The action is closed; it takes no more letters."), "ok")
    return redirect(url_for("organise.action_overview", action_id=action.id), 303)


@bp.route("/actions/<int:action_id>/delete", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def delete(action_id: int):
    """Delete an action after typing its slug; one with letters only by an admin."""
    action = action_or_404(action_id)
    form = ConfirmForm()
    letters = letters_to(action.id)
    allowed = letters == 0 or current_organiser().can(Role.ADMIN)
    if request.method == "POST" and allowed and form.validate():
        if (form.confirm.data or "").strip() != action.slug:
            form.confirm.errors = [_("This is not the action's web address.")]
        else:
            image = delete_action(action)
            db.session.commit()
            remove_stored_image(current_app.config["UPLOAD_FOLDER"], image)
            flash(_("The action and everything recorded for it were deleted."), "ok")
            return redirect(url_for("organise.dashboard"), 303)
    status = 200 if request.method == "GET" else (403 if not allowed else 422)
    return render_template(
        "organise/delete.html", action=action, form=form, letters=letters, allowed=allowed
    ), status


# --- image ------------------------------------------------------------------------------------


@bp.route("/actions/<int:action_id>/image", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def action_image(action_id: int):
    """Upload the action's image: checked by its content, re-encoded, stored."""
    action = action_or_404(action_id)
    form = ImageForm()
    if request.method == "GET":
        form.image_alt.data = action.image_alt
    if request.method == "POST" and form.validate():
        config = current_app.config
        try:
            image = store_action_image(
                form.image.data.read(config["UPLOAD_MAX_BYTES"] + 1),
                config["UPLOAD_FOLDER"],
                config["UPLOAD_MAX_BYTES"],
                config["IMAGE_MAX_PIXELS"],
                config["IMAGE_MAX_WIDTH"],
            )
        except ImageRejectedError as error:
            form.image.errors = [str(error)]
        else:
            previous = action.image
            action.image = image
            action.image_alt = form.image_alt.data.strip()
            db.session.commit()
            remove_stored_image(config["UPLOAD_FOLDER"], previous)
            flash(_("The image was saved."), "ok")
            return redirect(url_for("organise.action_overview", action_id=action.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("organise/image.html", action=action, form=form), status


@bp.post("/actions/<int:action_id>/image/remove")
@role_required(Role.EDITOR)
def remove_image(action_id: int):
    """Remove the action's image."""
    action = action_or_404(action_id)
    previous = action.image
    action.image = None
    db.session.commit()
    remove_stored_image(current_app.config["UPLOAD_FOLDER"], previous)
    flash(_("The image was removed."), "ok")
    return redirect(url_for("organise.action_overview", action_id=action.id), 303)


# --- targets ----------------------------------------------------------------------------------


def _target_or_404(action, target_id: int) -> Target:
    target = next((t for t in action.targets if t.id == target_id), None)
    if target is None:
        abort(404)
    return target


def _target_form(target: Target | None) -> TargetForm:
    form = TargetForm(obj=target if request.method == "GET" else None)
    form.supporter_country.choices = _countries(_("Not a diplomatic copy"))
    form.country.choices = _countries(_("Not set"))
    if request.method == "GET" and target is not None:
        form.salutations.data = salutations_text(target.salutations)
        form.kind.data = str(target.kind)
        form.supporter_country.data = target.supporter_country or ""
    return form


def _target_page(action, target, form, status=200):
    return render_template(
        "organise/target_form.html", action=action, target=target, form=form
    ), status


def _edit_target(action, target: Target | None):
    form = _target_form(target)
    if request.method == "GET":
        return _target_page(action, target, form)
    valid = form.validate()
    salutations, bad = parse_salutations(form.salutations.data)
    if bad:
        form.salutations.errors = [
            *form.salutations.errors,
            _("Not understood: %(lines)s", lines=" / ".join(bad)),
        ]
        valid = False
    kind = TargetKind(form.kind.data or "primary")
    country = form.supporter_country.data or None
    if kind == TargetKind.EMBASSY and embassy_conflict(action, country, target and target.id):
        form.supporter_country.errors = [
            _("Another diplomatic copy already goes to supporters in this country.")
        ]
        valid = False
    values, problems = clean_target(
        TargetFields(
            kind=kind,
            supporter_country=country if kind == TargetKind.EMBASSY else None,
            name=(form.name.data or "").strip(),
            title=(form.title.data or "").strip(),
            organisation=(form.organisation.data or "").strip(),
            address_lines="\n".join(
                line.strip()
                for line in (form.address_lines.data or "").splitlines()
                if line.strip()
            ),
            country=form.country.data or "",
            email=(form.email.data or "").strip() or None,
            language=(form.language.data or "").strip(),
            salutations=salutations,
            why=(form.why.data or "").strip(),
            is_example=bool(form.is_example.data),
        )
    )
    # The same rules as the CSV import (services.target_checks), shown at their fields; a
    # field the form already refused (left empty, say) keeps the form's one message.
    refused = {name for name, _message in problems if getattr(form, name).errors}
    for name, message in problems:
        field = getattr(form, name)
        if name not in refused and message not in field.errors:
            field.errors = [*field.errors, message]
        valid = False
    if kind == TargetKind.PRIMARY and valid:
        other = same_official(action, values.name, values.organisation, values.email,
                              target and target.id)  # fmt: skip
        if other is not None:
            form.name.errors = [
                *form.name.errors,
                _(
                    "%(name)s is already a target of this action: edit that one instead, "
                    "so that each official gets one letter from each supporter.",
                    name=other.name,
                ),
            ]
            valid = False
    if not valid:
        return _target_page(action, target, form, 422)
    save_target(action, target, values)
    db.session.commit()
    flash(_("The target was saved."), "ok")
    return redirect(url_for("organise.action_overview", action_id=action.id) + "#targets", 303)


@bp.route("/actions/<int:action_id>/targets/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def new_target(action_id: int):
    """Add a target or a diplomatic copy."""
    return _edit_target(action_or_404(action_id), None)


@bp.route("/actions/<int:action_id>/targets/<int:target_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def edit_target(action_id: int, target_id: int):
    """Change a target."""
    action = action_or_404(action_id)
    return _edit_target(action, _target_or_404(action, target_id))


@bp.route("/actions/<int:action_id>/targets/<int:target_id>/delete", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def delete_target(action_id: int, target_id: int):
    """Ask, then remove a target that has no letters yet (a page of its own: works without JS)."""
    action = action_or_404(action_id)
    target = _target_or_404(action, target_id)
    letters = letters_to(action.id, target.id)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return render_template(
            "organise/target_delete.html", action=action, target=target, letters=letters
        )
    if letters:
        flash(_("Letters were written to this target: it stays, so that they keep counting."),
              "error")  # fmt: skip
    else:
        action.targets.remove(target)
        db.session.commit()
        flash(_("The target was removed."), "ok")
    return redirect(url_for("organise.action_overview", action_id=action.id) + "#targets", 303)


@bp.route("/actions/<int:action_id>/embassies/import", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def import_embassies(action_id: int):
    """Add or replace diplomatic copies from a CSV file."""
    action = action_or_404(action_id)
    form = EmbassyImportForm()
    problems: tuple = ()
    if request.method == "POST" and form.validate():
        raw = form.file.data.read(current_app.config["UPLOAD_MAX_BYTES"] + 1)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            problems = ((0, _("Save the file as CSV in UTF-8 and try again.")),)
        else:
            result = import_embassy_rows(action, text)
            problems = result.problems
            if not problems:
                db.session.commit()
                flash(_("Diplomatic copies: %(created)d added, %(updated)d replaced.",
                        created=result.created, updated=result.updated), "ok")  # fmt: skip
                return redirect(
                    url_for("organise.action_overview", action_id=action.id) + "#targets", 303
                )
            db.session.rollback()
    status = 422 if request.method == "POST" else 200
    return render_template(
        "organise/embassy_import.html", action=action, form=form, problems=problems
    ), status
