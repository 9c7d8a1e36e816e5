"""The share of personalised letters per action and channel, for the statistics page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from actionapp.extensions import db
from actionapp.models import PersonalRollup
from actionapp.stats.counts import is_counted
from actionapp.stats.statistics import DateRange


@dataclass(frozen=True)
class PersonalisedShare:
    """Letters that count in one channel (or all): how many were measured, how many personal."""

    channel: str  # "" for every channel together
    measured: int
    personalised: int

    @property
    def percent(self) -> int | None:
        """Return the personalised share in percent, or None when no letter was measured."""
        return round(100 * self.personalised / self.measured) if self.measured else None


@dataclass(frozen=True)
class PersonalisedLetters:
    """The action's personalised share over a range of days, in all and per channel."""

    total: PersonalisedShare
    by_channel: tuple[PersonalisedShare, ...]


def personalised_letters(action_id: int, period: DateRange) -> PersonalisedLetters:
    """Count the measured letters that count publicly, and the personalised ones, exactly.

    A letter is measured when its submission carries the share of own words recorded with it
    (submissions.own_share); older letters and event reports have none and are left out. A sum
    over the personal rollups kept with the letters (services.counts.bump_personal): a few rows
    per day, never the letters themselves.
    """
    rows = db.session.execute(
        select(
            PersonalRollup.channel,
            PersonalRollup.status,
            PersonalRollup.personal,
            func.sum(PersonalRollup.count),
        )
        .where(
            PersonalRollup.action_id == action_id,
            PersonalRollup.day >= period.start,
            PersonalRollup.day <= period.end,
        )
        .group_by(PersonalRollup.channel, PersonalRollup.status, PersonalRollup.personal)
    )
    measured: dict[str, int] = defaultdict(int)
    personalised: dict[str, int] = defaultdict(int)
    for channel, status, is_personal, count in rows:
        if not count or not is_counted(channel, status):
            continue
        measured[str(channel)] += int(count)
        if is_personal:
            personalised[str(channel)] += int(count)
    by_channel = tuple(
        PersonalisedShare(channel, measured[channel], personalised[channel])
        for channel in sorted(measured)
    )
    return PersonalisedLetters(
        PersonalisedShare("", sum(measured.values()), sum(personalised.values())), by_channel
    )
