"""Exports: letters and daily counts as CSV, and OSDI-style JSON for CRMs; each one logged."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from flask import Response, abort, jsonify, render_template, request, stream_with_context, url_for

from actionapp.campaigns.forms import PersonalExportForm, StatsFilterForm
from actionapp.campaigns.lookups import action_or_404
from actionapp.extensions import db
from actionapp.models import Action, ActionStatus, Role, utcnow
from actionapp.organisers.access import current_organiser, role_required
from actionapp.stats.counts import action_counts
from actionapp.stats.exports import letter_rows, log_export, osdi_campaign
from actionapp.stats.exports import osdi_outreaches as outreaches_page
from actionapp.stats.exports import osdi_solidarity as solidarity_outreaches
from actionapp.stats.periods import stats_period
from actionapp.stats.statistics import daily_counts
from actionapp.web.i18n import requested_language
from actionapp.web.organise import bp

OSDI_PER_PAGE = 500


def _csv_stream(rows: Iterable[list]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"  # lets spreadsheet programs read the file as UTF-8
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_response(rows: Iterable[list], filename: str, stream: bool = True) -> Response:
    body = stream_with_context(_csv_stream(rows)) if stream else "".join(_csv_stream(rows))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/actions/<int:action_id>/export/letters.csv")
@role_required(Role.VIEWER)
def export_letters(action_id: int):
    """Download every letter of an action as CSV, without personal data."""
    action = action_or_404(action_id)
    log_export(current_organiser(), "letters_csv", utcnow(), action)
    db.session.commit()
    return _csv_response(letter_rows(action.id, personal=False), f"{action.slug}-letters.csv")


@bp.route("/actions/<int:action_id>/export/letters-personal", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def export_letters_personal(action_id: int):
    """Download letters with supporters' personal data: admins only, with a recorded reason."""
    action = action_or_404(action_id)
    form = PersonalExportForm()
    if request.method == "POST" and form.validate():
        log_export(
            current_organiser(),
            "letters_csv",
            utcnow(),
            action,
            personal_data=True,
            detail=form.reason.data.strip(),
        )
        db.session.commit()
        return _csv_response(
            letter_rows(action.id, personal=True), f"{action.slug}-letters-personal.csv"
        )
    status = 422 if request.method == "POST" else 200
    return render_template("organise/export_personal.html", action=action, form=form), status


@bp.get("/actions/<int:action_id>/export/daily.csv")
@role_required(Role.VIEWER)
def export_daily(action_id: int):
    """Download letters per day and per channel and status as CSV (optionally for a range)."""
    action = action_or_404(action_id)
    form = StatsFilterForm(request.args)
    form.validate()
    period, _complaint = stats_period(action, form, utcnow().date())
    header, rows = daily_counts(action, period)
    log_export(
        current_organiser(),
        "daily_csv",
        utcnow(),
        action,
        detail=f"{period.start.isoformat()}..{period.end.isoformat()}",
    )
    db.session.commit()
    return _csv_response([header, *rows], f"{action.slug}-daily.csv", stream=False)


def _campaign(action: Action) -> dict:
    return osdi_campaign(
        action,
        requested_language(),
        public_url=url_for("public.action_page", slug=action.slug, _external=True),
        outreaches_url=url_for("organise.osdi_outreaches", action_id=action.id, _external=True),
        solidarity_url=url_for("organise.osdi_solidarity", action_id=action.id, _external=True),
    )


def _json(data: dict) -> Response:
    response = jsonify(data)
    response.mimetype = "application/hal+json"
    return response


@bp.get("/export/osdi/advocacy_campaigns")
@role_required(Role.VIEWER)
def osdi_campaigns():
    """Return every published action as OSDI advocacy campaigns."""
    actions = db.session.scalars(
        db.select(Action).where(Action.status != ActionStatus.DRAFT).order_by(Action.id)
    ).all()
    log_export(current_organiser(), "osdi_campaigns", utcnow())
    db.session.commit()
    return _json(
        {
            "total_records": len(actions),
            "page": 1,
            "total_pages": 1,
            "_embedded": {"osdi:advocacy_campaigns": [_campaign(a) for a in actions]},
            "_links": {"self": {"href": request.base_url}},
        }
    )


@bp.get("/export/osdi/advocacy_campaigns/<int:action_id>")
@role_required(Role.VIEWER)
def osdi_campaign_detail(action_id: int):
    """Return one action as an OSDI advocacy campaign."""
    action = action_or_404(action_id)
    log_export(current_organiser(), "osdi_campaign", utcnow(), action)
    db.session.commit()
    return _json(_campaign(action))


@bp.get("/export/osdi/advocacy_campaigns/<int:action_id>/outreaches")
@role_required(Role.VIEWER)
def osdi_outreaches(action_id: int):
    """Return an action's counted letters as OSDI outreaches, a page at a time."""
    action = action_or_404(action_id)
    after = request.args.get("after", "0")
    per_page = request.args.get("per_page", str(OSDI_PER_PAGE))
    if not after.isdigit() or not per_page.isdigit():
        abort(400)
    per_page_n = max(1, min(int(per_page), OSDI_PER_PAGE))
    outreaches, next_after = outreaches_page(action, int(after), per_page_n)
    log_export(current_organiser(), "osdi_outreaches", utcnow(), action, detail=f"after={after}")
    db.session.commit()
    links = {"self": {"href": request.url}}
    if next_after is not None:
        links["next"] = {
            "href": url_for(
                "organise.osdi_outreaches",
                action_id=action.id,
                after=next_after,
                per_page=per_page_n,
                _external=True,
            )
        }
    return _json(
        {
            "total_records": action_counts(action.id).letters,
            "per_page": per_page_n,
            "_embedded": {"osdi:outreaches": outreaches},
            "_links": links,
        }
    )


@bp.get("/export/osdi/advocacy_campaigns/<int:action_id>/solidarity_messages")
@role_required(Role.VIEWER)
def osdi_solidarity(action_id: int):
    """Return an action's counted solidarity messages as outreaches of their own type."""
    action = action_or_404(action_id)
    outreaches = solidarity_outreaches(action)
    log_export(current_organiser(), "osdi_solidarity", utcnow(), action)
    db.session.commit()
    return _json(
        {
            "total_records": len(outreaches),
            "actionapp:cards": sum(o["actionapp:cards"] for o in outreaches),
            "_embedded": {"osdi:outreaches": outreaches},
            "_links": {"self": {"href": request.url}},
        }
    )
