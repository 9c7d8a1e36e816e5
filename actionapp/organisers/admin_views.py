"""Admin pages: supporters' data requests, organiser accounts and the export log."""

from __future__ import annotations

import json

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from actionapp.campaigns.forms import (
    EmailLookupForm,
    EraseForm,
    NewOrganiserForm,
    OrganiserAccessForm,
)
from actionapp.extensions import db
from actionapp.letters.forms import choices_of
from actionapp.models import Organiser, Role, utcnow
from actionapp.organisers.access import current_organiser, role_required
from actionapp.organisers.accounts import (
    OrganiserError,
    create_organiser,
    set_access,
)
from actionapp.organisers.messages import organiser_error_message
from actionapp.privacy.personal_data import (
    erase_email,
    subject_access_export,
    submissions_for_email,
)
from actionapp.stats.exports import log_export, recent_exports
from actionapp.web.organise import bp


def _privacy_page(lookup=None, erase=None, submissions=None, status=200):
    return render_template(
        "organise/privacy.html",
        lookup=lookup or EmailLookupForm(prefix="lookup"),
        erase=erase or EraseForm(prefix="erase"),
        submissions=submissions,
    ), status


@bp.get("/privacy")
@role_required(Role.ADMIN)
def privacy():
    """Answer a supporter's request: find, export or erase what is held about an email."""
    return _privacy_page()


@bp.post("/privacy/lookup")
@role_required(Role.ADMIN)
def privacy_lookup():
    """Show everything held about an email address, consent records included."""
    form = EmailLookupForm(prefix="lookup")
    if not form.validate():
        return _privacy_page(lookup=form, status=422)
    submissions = submissions_for_email(form.email.data)
    erase = EraseForm(prefix="erase")
    erase.email.data = form.email.data
    return _privacy_page(lookup=form, erase=erase, submissions=submissions)


@bp.post("/privacy/export")
@role_required(Role.ADMIN)
def privacy_export():
    """Download everything held about an email address as JSON (a subject access request)."""
    form = EmailLookupForm(prefix="lookup")
    if not form.validate():
        return _privacy_page(lookup=form, status=422)
    now = utcnow()
    data = subject_access_export(form.email.data, now)
    # The log says that a request was answered, not whose: it must not keep the address.
    log_export(
        current_organiser(),
        "subject_access",
        now,
        personal_data=True,
        detail=f"{len(data['submissions'])} submission(s)",
    )
    db.session.commit()
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="personal-data.json"'},
    )


@bp.post("/privacy/erase")
@role_required(Role.ADMIN)
def privacy_erase():
    """Remove the personal data held about an email address; the counts stay."""
    form = EraseForm(prefix="erase")
    if not form.validate():
        return _privacy_page(erase=form, status=422)
    now = utcnow()
    erased = erase_email(form.email.data, now)
    log_export(current_organiser(), "erasure", now, detail=f"{erased} record(s) erased")
    db.session.commit()
    flash(
        _("Personal data removed from %(n)d record(s). Their letters still count.", n=erased),
        "ok",
    )
    return redirect(url_for("organise.privacy"), 303)


@bp.get("/exports")
@role_required(Role.ADMIN)
def export_log():
    """List the latest exports and data requests."""
    return render_template("organise/export_log.html", entries=recent_exports())


# --- organisers -------------------------------------------------------------------------------


def _role_choices() -> list:
    return choices_of(
        [("viewer", _("Viewer")), ("editor", _("Editor")), ("admin", _("Administrator"))]
    )


def _organisers_page(form=None, status=200):
    form = form or NewOrganiserForm()
    form.role.choices = _role_choices()
    organisers = db.session.scalars(db.select(Organiser).order_by(Organiser.email)).all()
    access_forms = {}
    for organiser in organisers:
        access = OrganiserAccessForm(prefix=f"o{organiser.id}")
        access.role.choices = _role_choices()
        access.role.data = str(organiser.role)
        access.active.data = organiser.active
        access_forms[organiser.id] = access
    return render_template(
        "organise/organisers.html",
        form=form,
        organisers=organisers,
        access_forms=access_forms,
    ), status


@bp.get("/organisers")
@role_required(Role.ADMIN)
def organisers():
    """List organiser accounts."""
    return _organisers_page()


@bp.post("/organisers/new")
@role_required(Role.ADMIN)
def new_organiser():
    """Add an organiser account."""
    form = NewOrganiserForm()
    form.role.choices = _role_choices()
    if not form.validate():
        return _organisers_page(form, 422)
    try:
        create_organiser(
            form.email.data,
            form.password.data,
            Role(form.role.data),
            utcnow(),
            current_app.config["PASSWORD_MIN_LENGTH"],
        )
    except OrganiserError as error:
        form.email.errors = [organiser_error_message(error)]
        return _organisers_page(form, 422)
    db.session.commit()
    flash(_("The organiser was added."), "ok")
    return redirect(url_for("organise.organisers"), 303)


@bp.post("/organisers/<int:organiser_id>/access")
@role_required(Role.ADMIN)
def organiser_access(organiser_id: int):
    """Change an organiser's role or deactivate them; the last active admin stays."""
    organiser = db.session.get(Organiser, organiser_id)
    if organiser is None:
        abort(404)
    form = OrganiserAccessForm(prefix=f"o{organiser.id}")
    form.role.choices = _role_choices()
    if not form.validate():
        flash(_("Choose a role."), "error")
        return redirect(url_for("organise.organisers"), 303)
    role, active = Role(form.role.data), bool(form.active.data)
    try:
        set_access(organiser, role, active)
    except OrganiserError as error:
        flash(organiser_error_message(error), "error")
        return redirect(url_for("organise.organisers"), 303)
    db.session.commit()
    if organiser.id == current_organiser().id and (role != Role.ADMIN or not active):
        return redirect(url_for("auth.sign_in"), 303)
    flash(_("Saved."), "ok")
    return redirect(url_for("organise.organisers"), 303)
