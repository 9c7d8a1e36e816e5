"""The action editor: actions and their image (targets: targets_views.py)."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
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
    language_change_lacks,
    letters_to,
    publish_action,
    slug_taken,
    update_action,
)
from actionapp.campaigns.follow_ups import (
    FollowUpError,
    check_predecessor,
    predecessor_choices,
    set_predecessor,
)
from actionapp.campaigns.forms import (
    ActionForm,
    ConfirmForm,
    ImageForm,
)
from actionapp.campaigns.images import ImageRejectedError, remove_stored_image, store_action_image
from actionapp.campaigns.lookups import action_or_404
from actionapp.campaigns.messages import follow_up_message
from actionapp.campaigns.models import REPLY_QUESTION_DAYS
from actionapp.extensions import db
from actionapp.letters.forms import choices_of
from actionapp.models import (
    Role,
    utcnow,
)
from actionapp.organisers.access import current_organiser, role_required
from actionapp.web.i18n import country_choices, interface_language, language_name
from actionapp.web.organise import bp

# Endpoints that take files; they may receive more than the usual request size limit.
UPLOAD_ENDPOINTS = frozenset({"organise.action_image", "organise.import_embassies"})


def country_options(blank: str) -> list:
    """Return the country choices in the interface language, after a blank one."""
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
    form.target_country.choices = country_options(_("Not set"))
    form.follows_id.choices = choices_of(
        [("", _("None: a new case")),
         *((str(a.id), f"{a.title} ({a.slug})") for a in predecessor_choices(action))]
    )  # fmt: skip
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


def _follows_id(form: ActionForm) -> int | None:
    return int(form.follows_id.data) if form.follows_id.data else None


def _save_action(form: ActionForm, action=None):
    if not form.validate():
        return None
    values = _action_fields(form)
    texts = text_fields(form)
    if slug_taken(values.slug, action.id if action else None):
        form.slug.errors = [_("Another action uses this web address already.")]
        return None
    try:
        check_predecessor(action, _follows_id(form))
    except FollowUpError as error:
        form.follows_id.errors = [follow_up_message(error)]
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
    set_predecessor(action, _follows_id(form))
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
