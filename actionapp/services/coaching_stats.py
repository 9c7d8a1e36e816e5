"""The share of personalised letters per action and channel, for the statistics page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from actionapp.extensions import db
from actionapp.models import Letter, Submission
from actionapp.services.coaching import PERSONALISED_FROM
from actionapp.services.counts import is_counted
from actionapp.services.stats import DateRange


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
    (submissions.own_share); older letters and event reports have none and are left out. One
    aggregate over the action's letters in the range (index ix_letters_action_created).
    """
    start = datetime.combine(period.start, time.min)
    end = datetime.combine(period.end + timedelta(days=1), time.min)
    personal = (Submission.own_share >= PERSONALISED_FROM).label("personal")
    rows = db.session.execute(
        select(Letter.channel, Letter.status, personal, func.count())
        .join(Submission, Submission.id == Letter.submission_id)
        .where(
            Letter.action_id == action_id,
            Letter.created_at >= start,
            Letter.created_at < end,
            Submission.own_share.is_not(None),
        )
        .group_by(Letter.channel, Letter.status, personal)
    )
    measured: dict[str, int] = defaultdict(int)
    personalised: dict[str, int] = defaultdict(int)
    for channel, status, is_personal, count in rows:
        if not is_counted(channel, status):
            continue
        measured[str(channel)] += count
        if is_personal:
            personalised[str(channel)] += count
    by_channel = tuple(
        PersonalisedShare(channel, measured[channel], personalised[channel])
        for channel in sorted(measured)
    )
    return PersonalisedLetters(
        PersonalisedShare("", sum(measured.values()), sum(personalised.values())), by_channel
    )
