"""Organiser dashboard, action overview and statistics."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import gettext as _

from actionapp.campaigns.actions import action_state
from actionapp.campaigns.case_texts import (
    ACTION_TEXTS,
    TEXT_LABELS,
    action_missing,
    text_languages,
    translation_warnings,
    update_missing,
)
from actionapp.campaigns.editing import all_actions, letters_to, publish_problems
from actionapp.campaigns.follow_ups import follow_up_choices
from actionapp.campaigns.forms import StatsFilterForm
from actionapp.campaigns.lookups import action_or_404
from actionapp.email.update_figures import update_figures
from actionapp.events.reports import pending_event_reports
from actionapp.extensions import db
from actionapp.letters.coaching import PERSONALISED_FROM
from actionapp.models import Action, Role, utcnow
from actionapp.organisers.access import role_required
from actionapp.privacy.personal_data import consent_records, purge_due_at
from actionapp.solidarity.messages import solidarity_counts
from actionapp.stats import charts
from actionapp.stats.periods import stats_period
from actionapp.stats.personalised import personalised_letters
from actionapp.stats.statistics import (
    action_statistics,
    dashboard_figures,
)
from actionapp.stats.vocabulary import channel_labels, channel_status_labels
from actionapp.web.i18n import country_name, format_number, language_name
from actionapp.web.organise import bp


def status_word(action: Action, now) -> str:
    """Return "draft", "live", "closed" or an outcome word for the organiser's eyes."""
    if action.status == "draft":
        return "draft"
    return action_state(action, now).status


@bp.get("/")
@role_required(Role.VIEWER)
def dashboard():
    """List every action with its status, deadline, letters, progress and last 30 days."""
    now = utcnow()
    actions = all_actions()
    figures = dashboard_figures(actions, now)
    sparklines = {
        action.id: charts.sparkline([n for _, n in figures[action.id].last_30_days])
        for action in actions
    }
    return render_template(
        "organise/dashboard.html",
        actions=actions,
        figures=figures,
        sparklines=sparklines,
        status={action.id: status_word(action, now) for action in actions},
        now=now,
    )


@bp.get("/actions/<int:action_id>")
@role_required(Role.VIEWER)
def action_overview(action_id: int):
    """Show one action: settings, targets, model letters, updates and what can be done."""
    action = action_or_404(action_id)
    now = utcnow()
    languages = current_app.config["LANGUAGES"]
    return render_template(
        "organise/action.html",
        action=action,
        follows=db.session.get(Action, action.follows_id) if action.follows_id else None,
        follow_ups={later.id: later for later in follow_up_choices(action)},
        status=status_word(action, now),
        problems=publish_problems(action, now) if action.status != "live" else [],
        warnings=translation_warnings(action, languages),
        text_languages=text_languages(action.language, languages),
        text_names=[(name, TEXT_LABELS[name]) for name in ACTION_TEXTS],
        missing=action_missing(action, languages),
        updates_missing={u.id: update_missing(u, action, languages) for u in action.updates},
        letters=letters_to(action.id),
        purge_due=purge_due_at(action, now),
        pending_events=len(pending_event_reports(action.id)),
        update_mail=update_figures(action.id),
    )


@bp.get("/actions/<int:action_id>/statistics")
@role_required(Role.VIEWER)
def statistics(action_id: int):
    """Show an action's statistics for a date range, each chart with its table."""
    action = action_or_404(action_id)
    form = StatsFilterForm(request.args)
    form.validate()
    period, complaint = stats_period(action, form, utcnow().date())
    stats = action_statistics(action, period)
    labels = channel_status_labels()
    channel_names = channel_labels()
    return render_template(
        "organise/statistics.html",
        action=action,
        stats=stats,
        form=form,
        complaint=complaint,
        chart=_charts(stats, labels, channel_names),
        labels=labels,
        channel_names=channel_names,
        summary=_chart_summary(stats),
        personalised=personalised_letters(action.id, period),
        personalised_from=PERSONALISED_FROM,
        solidarity=solidarity_counts(action.id),
    )


def _charts(stats, labels: dict, channel_names: dict) -> dict[str, str]:
    """Return each chart of the statistics page (its table is beside it on the page)."""
    return {
        "channels": charts.bar_chart(
            [channel_names.get(c, c) for c, _count in stats.by_channel],
            [n for _, n in stats.by_channel],
        ),
        "statuses": charts.bar_chart(
            [
                labels.get((r.channel, r.status), f"{r.channel}: {r.status}")
                for r in stats.by_channel_status
            ],
            [r.letters for r in stats.by_channel_status],
            horizontal=True,
        ),
        "targets": charts.bar_chart(
            [t.name for t in stats.by_target], [t.letters for t in stats.by_target], horizontal=True
        ),
        "countries": charts.bar_chart(
            [country_name(c) if c else _("Unknown") for c, _count in stats.by_country[:25]],
            [n for _, n in stats.by_country[:25]],
            horizontal=True,
        ),
        "languages": charts.bar_chart(
            [language_name(code) if code else _("Not known") for code, _count in stats.by_language],
            [n for _, n in stats.by_language],
            horizontal=True,
        ),
        "days": charts.day_chart(
            [day.isoformat() for day, _count in stats.per_day], [n for _, n in stats.per_day]
        ),
        "hours": charts.bar_chart([f"{h:02d}" for h in range(24)], list(stats.by_hour)),
    }


def _chart_summary(stats) -> dict[str, str]:
    """Short alt texts: the table under each chart carries every number."""
    busiest_day = max(stats.per_day, key=lambda item: item[1], default=None)
    return {
        "days": _(
            "Letters per day: %(total)s in %(days)s days, most on %(day)s. "
            "The table below gives every day.",
            total=format_number(stats.letters),
            days=format_number(stats.period.days),
            day=busiest_day[0].isoformat() if busiest_day else "-",
        ),
    }


@bp.get("/actions/<int:action_id>/consent")
@role_required(Role.ADMIN)
def consent(action_id: int):
    """Show the consent texts supporters of an action agreed to, and how many did."""
    action = action_or_404(action_id)
    return render_template(
        "organise/consent.html", action=action, records=consent_records(action.id)
    )
