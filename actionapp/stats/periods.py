"""The statistics period an organiser chose, shared by the statistics page and the exports."""

from __future__ import annotations

from flask_babel import gettext as _

from actionapp.models import Action
from actionapp.stats.statistics import MAX_RANGE_DAYS, DateRange, default_range


def stats_period(action: Action, form, today) -> tuple[DateRange, str]:
    """Return the chosen range (the whole action by default) and any complaint about it."""
    whole = default_range(action, today)
    start = form.start.data or whole.start
    end = form.end.data or whole.end
    if start > end:
        return whole, _("The start date is after the end date: showing the whole action.")
    if (end - start).days >= MAX_RANGE_DAYS:
        return whole, _("Choose a range of at most ten years: showing the whole action.")
    return DateRange(start, end), ""
