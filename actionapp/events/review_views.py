"""Review of the letters event hosts report: approve them into the counts, or reject them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from actionapp.campaigns.forms import ReviewForm
from actionapp.campaigns.lookups import action_or_404
from actionapp.database import write_transaction
from actionapp.events.reports import approve_event_report, event_reports, reject_event_report
from actionapp.models import Role, utcnow
from actionapp.organisers.access import role_required
from actionapp.web.organise import bp


@bp.get("/actions/<int:action_id>/events")
@role_required(Role.EDITOR)
def event_reports_page(action_id: int):
    """List an action's event reports, pending ones first, with the hosts' contact details."""
    action = action_or_404(action_id)
    return render_template(
        "organise/events.html",
        action=action,
        reports=event_reports(action.id),
        form=ReviewForm(),
    )


@bp.post("/actions/<int:action_id>/events/<int:report_id>/review")
@role_required(Role.EDITOR)
def review_event(action_id: int, report_id: int):
    """Approve a report (its letters count publicly) or reject it (they never count)."""
    form = ReviewForm()
    if not form.validate():
        abort(400)
    review = approve_event_report if form.decision.data == "approve" else reject_event_report
    with write_transaction():
        action = action_or_404(action_id)
        report = review(report_id, utcnow())
        if report is None or report.action_id != action.id:
            abort(404)
        approved = form.decision.data == "approve"
        count = report.letters_total
    if approved:
        flash(_("Approved: %(num)d event letters now count.", num=count), "ok")
    else:
        flash(_("Rejected: these %(num)d letters do not count.", num=count), "ok")
    return redirect(url_for("organise.event_reports_page", action_id=action_id), 303)
