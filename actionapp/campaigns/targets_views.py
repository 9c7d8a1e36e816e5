"""The action editor's targets: officials, diplomatic copies and the embassy CSV import."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from actionapp.campaigns.editing import (
    embassy_conflict,
    letters_to,
    parse_salutations,
    remove_target,
    salutations_text,
    same_official,
    save_target,
)
from actionapp.campaigns.editing import import_embassies as import_embassy_rows
from actionapp.campaigns.editor_views import country_options
from actionapp.campaigns.forms import EmbassyImportForm, TargetForm
from actionapp.campaigns.lookups import action_or_404
from actionapp.campaigns.target_checks import TargetFields, clean_target
from actionapp.extensions import db
from actionapp.models import Role, Target, TargetKind
from actionapp.organisers.access import role_required
from actionapp.web.organise import bp


def _target_or_404(action, target_id: int) -> Target:
    target = next((t for t in action.targets if t.id == target_id), None)
    if target is None:
        abort(404)
    return target


def _target_form(target: Target | None) -> TargetForm:
    form = TargetForm(obj=target if request.method == "GET" else None)
    form.supporter_country.choices = country_options(_("Not a diplomatic copy"))
    form.country.choices = country_options(_("Not set"))
    if request.method == "GET" and target is not None:
        form.salutations.data = salutations_text(target.salutations)
        form.kind.data = str(target.kind)
        form.supporter_country.data = target.supporter_country or ""
    return form


def _target_page(action, target, form, status=200):
    return render_template(
        "organise/target_form.html", action=action, target=target, form=form
    ), status


def _fields_of(
    form: TargetForm, kind: TargetKind, country: str | None, salutations
) -> TargetFields:
    """Return the form's values as the target rules take them (as the CSV import gives them)."""
    return TargetFields(
        kind=kind,
        supporter_country=country if kind == TargetKind.EMBASSY else None,
        name=(form.name.data or "").strip(),
        title=(form.title.data or "").strip(),
        organisation=(form.organisation.data or "").strip(),
        address_lines="\n".join(
            line.strip() for line in (form.address_lines.data or "").splitlines() if line.strip()
        ),
        country=form.country.data or "",
        email=(form.email.data or "").strip() or None,
        language=(form.language.data or "").strip(),
        salutations=salutations,
        why=(form.why.data or "").strip(),
        is_example=bool(form.is_example.data),
    )


def _checked_target(action, target: Target | None, form: TargetForm) -> tuple:
    """Check the target form as the CSV import does; put each problem at its field."""
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
    values, problems = clean_target(_fields_of(form, kind, country, salutations))
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
    return values, valid


def _edit_target(action, target: Target | None):
    form = _target_form(target)
    if request.method == "GET":
        return _target_page(action, target, form)
    values, valid = _checked_target(action, target, form)
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
    if request.method == "GET" or request.form.get("confirm") != "yes":
        letters = letters_to(action.id, target.id)
        return render_template(
            "organise/target_delete.html", action=action, target=target, letters=letters
        )
    if remove_target(action, target):
        db.session.commit()
        flash(_("The target was removed."), "ok")
    else:
        flash(_("Letters were written to this target: it stays, so that they keep counting."),
              "error")  # fmt: skip
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
