"""Organiser statistics: exact figures summed from the letter rollups, never from letter rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, literal_column, select
from sqlalchemy.types import Date

from actionapp.database import is_sqlite
from actionapp.extensions import db
from actionapp.models import Action, LetterRollup, MessageKind, MessageStatus, OutboxMessage, Target
from actionapp.stats.counts import CHANNELS_WITHOUT_HOUR, action_counts, is_counted
from actionapp.stats.vocabulary import COUNTED_STATUSES, KNOWN_CHANNEL_STATUSES

# A date range longer than this is refused (a typo such as year 0202 would build huge tables).
MAX_RANGE_DAYS = 3660


@dataclass(frozen=True)
class DateRange:
    """Creation days of letters, both ends included (UTC)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """Return how many days the range covers."""
        return (self.end - self.start).days + 1

    def each_day(self) -> list[date]:
        """Return every day in the range."""
        return [self.start + timedelta(days=n) for n in range(self.days)]


@dataclass(frozen=True)
class ChannelStatusCount:
    """Letters in one channel and status, and whether that status counts publicly."""

    channel: str
    status: str
    letters: int
    counted: bool


@dataclass(frozen=True)
class TargetCount:
    """Counted letters to one target."""

    target_id: int
    name: str
    organisation: str
    kind: str
    supporter_country: str
    letters: int


@dataclass(frozen=True)
class DeliveryStatus:
    """Emails to targets by delivery state, as the outbox reports them."""

    queued: int = 0
    sent: int = 0
    failed: int = 0
    # (reason, number of messages) for failed deliveries, most frequent first.
    failure_reasons: tuple[tuple[str, int], ...] = ()

    @property
    def total(self) -> int:
        """Return every email known to the outbox."""
        return self.queued + self.sent + self.failed


@dataclass(frozen=True)
class ActionStatistics:
    """Everything the statistics page shows for one action and date range."""

    action_id: int
    period: DateRange
    whole_action: bool  # the range covers every letter, so totals equal the public counts
    letters: int  # letters that count publicly
    letters_all: int  # every letter, whatever its status
    supporters: int  # whole action (counted when their first letter counted)
    by_channel_status: tuple[ChannelStatusCount, ...]
    by_channel: tuple[tuple[str, int], ...]
    by_target: tuple[TargetCount, ...]
    by_country: tuple[tuple[str, int], ...]
    by_language: tuple[tuple[str, int], ...]
    per_day: tuple[tuple[date, int], ...]
    by_hour: tuple[int, ...]  # 24 values, UTC, letters that have an hour
    without_hour: int  # counted letters that have a day but no hour (event reports)
    delivery: DeliveryStatus


def delivery_status(action_id: int) -> DeliveryStatus:
    """Return the action's emails to targets by delivery state, as the outbox records them.

    Messages being sent count as queued; failures are grouped by the first line of the
    server's last answer.
    """
    counts = {"queued": 0, "sent": 0, "failed": 0}
    for status, total in db.session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.action_id == action_id, OutboxMessage.kind == MessageKind.LETTER)
        .group_by(OutboxMessage.status)
    ):
        key = "queued" if status in (MessageStatus.QUEUED, MessageStatus.SENDING) else str(status)
        counts[key] = counts.get(key, 0) + int(total)
    reasons: dict[str, int] = defaultdict(int)
    if counts["failed"]:
        for error, total in db.session.execute(
            select(OutboxMessage.last_error, func.count())
            .where(
                OutboxMessage.action_id == action_id,
                OutboxMessage.kind == MessageKind.LETTER,
                OutboxMessage.status == MessageStatus.FAILED,
            )
            .group_by(OutboxMessage.last_error)
        ):
            reason = ((error or "").strip().splitlines() or ["?"])[0][:200]
            reasons[reason] += int(total)
    return DeliveryStatus(
        queued=counts["queued"],
        sent=counts["sent"],
        failed=counts["failed"],
        failure_reasons=_sorted_counts(reasons),
    )


def letter_days(action_id: int) -> tuple[date, date] | None:
    """Return the first and last creation day with letters, or None without letters."""
    # Two queries: each is one index lookup, where min() and max() together would scan.
    where = LetterRollup.action_id == action_id
    first = db.session.scalar(select(func.min(LetterRollup.day)).where(where))
    last = db.session.scalar(select(func.max(LetterRollup.day)).where(where))
    return (first, last) if first is not None else None


def _day_filter_for_grouping():
    """Return the day column as the dimensions aggregate should filter on it.

    SQLite would pick the day index for a range and then sort every row to group them; a
    unary plus (a no-op) hides the range from the planner, so it reads the covering index in
    GROUP BY order instead.
    """
    if is_sqlite():
        return literal_column(f"+{LetterRollup.__tablename__}.day", type_=Date)
    return LetterRollup.day


def default_range(action: Action, today: date) -> DateRange:
    """Return the range from the action's first letter (or creation) to today."""
    days = letter_days(action.id)
    start = min(days[0], action.created_at.date()) if days else action.created_at.date()
    end = max(today, days[1]) if days else today
    return DateRange(start, max(start, end))


def _sorted_counts(counts: dict, keys: Iterable | None = None) -> tuple:
    items = [(k, counts.get(k, 0)) for k in keys] if keys is not None else counts.items()
    return tuple(sorted(items, key=lambda kv: (-kv[1], str(kv[0]))))


def action_statistics(action: Action, period: DateRange) -> ActionStatistics:
    """Compute an action's statistics over a range of creation days from the rollups.

    Two indexed aggregate queries: one by channel, status, target, country and language, one
    by day and hour. Breakdowns by target, country, language, day and hour count the letters
    that count publicly; the channel and status table shows every status.
    """
    days = letter_days(action.id)
    whole = days is None or (period.start <= days[0] and period.end >= days[1])
    split = _breakdowns(action.id, period, whole)
    times = _times(action.id, period)
    pairs = list(KNOWN_CHANNEL_STATUSES) + sorted(set(split.by_pair) - set(KNOWN_CHANNEL_STATUSES))
    channel_status = tuple(
        ChannelStatusCount(c, s, split.by_pair.get((c, s), 0), is_counted(c, s)) for c, s in pairs
    )
    by_channel: dict[str, int] = {channel: 0 for channel in COUNTED_STATUSES}
    for (channel, status), total in split.by_pair.items():
        if is_counted(channel, status):
            by_channel[channel] = by_channel.get(channel, 0) + total
    return ActionStatistics(
        action_id=action.id,
        period=period,
        whole_action=whole,
        letters=sum(by_channel.values()),
        letters_all=sum(split.by_pair.values()),
        supporters=action_counts(action.id).supporters,
        by_channel_status=channel_status,
        by_channel=tuple(by_channel.items()),
        by_target=_target_counts(action, split.by_target),
        by_country=_sorted_counts(split.by_country),
        by_language=_sorted_counts(split.by_language),
        per_day=tuple((day, times.per_day.get(day, 0)) for day in period.each_day()),
        by_hour=tuple(times.by_hour),
        without_hour=times.without_hour,
        delivery=delivery_status(action.id),
    )


@dataclass
class _Breakdowns:
    """Letters by channel and status (all), and by target, country and language (counted)."""

    by_pair: dict[tuple[str, str], int]
    by_target: dict[int, int]
    by_country: dict[str, int]
    by_language: dict[str, int]


def _breakdowns(action_id: int, period: DateRange, whole: bool) -> _Breakdowns:
    """Sum the rollups by channel, status, target, country and language over the period."""
    grouped_day = _day_filter_for_grouping()
    dims_range = (
        (LetterRollup.action_id == action_id,)
        if whole
        else (LetterRollup.action_id == action_id, grouped_day >= period.start,
              grouped_day <= period.end)
    )  # fmt: skip
    dims = (
        LetterRollup.channel,
        LetterRollup.status,
        LetterRollup.target_id,
        LetterRollup.country,
        LetterRollup.language,
    )
    split = _Breakdowns(defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int))
    for channel, status, target_id, country, language, total in db.session.execute(
        select(*dims, func.sum(LetterRollup.count)).where(*dims_range).group_by(*dims)
    ):
        total = int(total or 0)
        split.by_pair[(channel, status)] += total
        if is_counted(channel, status):
            split.by_target[target_id] += total
            split.by_country[country] += total
            split.by_language[language] += total
    return split


@dataclass
class _Times:
    """Counted letters per day and per hour of the day (channels without an hour apart)."""

    per_day: dict[date, int]
    by_hour: list[int]
    without_hour: int = 0


def _times(action_id: int, period: DateRange) -> _Times:
    """Sum the counted letters of the period by day and by hour."""
    in_range = (
        LetterRollup.action_id == action_id,
        LetterRollup.day >= period.start,
        LetterRollup.day <= period.end,
    )
    result = _Times(defaultdict(int), [0] * 24)
    times = (LetterRollup.day, LetterRollup.hour, LetterRollup.channel, LetterRollup.status)
    for day, hour, channel, status, total in db.session.execute(
        select(*times, func.sum(LetterRollup.count)).where(*in_range).group_by(*times)
    ):
        if is_counted(channel, status):
            result.per_day[day] += int(total or 0)
            if channel in CHANNELS_WITHOUT_HOUR:
                result.without_hour += int(total or 0)
            else:
                result.by_hour[hour] += int(total or 0)
    return result


def _target_counts(action: Action, counts: dict[int, int]) -> tuple[TargetCount, ...]:
    targets = {t.id: t for t in action.targets}
    missing = set(counts) - set(targets)
    if missing:  # targets removed since their letters were written
        targets.update(
            {t.id: t for t in db.session.scalars(select(Target).where(Target.id.in_(missing)))}
        )
    rows = []
    for target_id in sorted(set(targets) | set(counts)):
        target = targets.get(target_id)
        rows.append(
            TargetCount(
                target_id=target_id,
                # An embassy copy by its embassy, which names the country it serves.
                name=target.label if target else f"#{target_id}",
                organisation=target.organisation if target else "",
                kind=str(target.kind) if target else "",
                supporter_country=(target.supporter_country or "") if target else "",
                letters=counts.get(target_id, 0),
            )
        )
    return tuple(sorted(rows, key=lambda r: (-r.letters, r.name, r.target_id)))


@dataclass(frozen=True)
class DashboardFigures:
    """One action's line on the organiser dashboard."""

    action_id: int
    letters: int
    supporters: int
    last_24_hours: int
    goal_percent: int
    last_30_days: tuple[tuple[date, int], ...]


def dashboard_figures(actions: list[Action], now: datetime) -> dict[int, DashboardFigures]:
    """Return each action's totals, last 24 hours (by the hour) and 30-day series."""
    if not actions:
        return {}
    ids = [a.id for a in actions]
    today = now.date()
    first_day = today - timedelta(days=29)
    daily = _daily_counts(ids, first_day)
    recent = _last_24_hours(ids, now)
    figures = {}
    for action in actions:
        counts = action_counts(action.id)
        figures[action.id] = DashboardFigures(
            action_id=action.id,
            letters=counts.letters,
            supporters=counts.supporters,
            last_24_hours=recent.get(action.id, 0),
            goal_percent=min(100, counts.letters * 100 // action.goal) if action.goal else 0,
            last_30_days=tuple(
                (
                    first_day + timedelta(days=n),
                    daily[action.id].get(first_day + timedelta(days=n), 0),
                )
                for n in range(30)
            ),
        )
    return figures


def _daily_counts(ids: list[int], first_day: date) -> dict[int, dict[date, int]]:
    """Return each action's counted letters per day since the first day."""
    daily: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for action_id, day, channel, status, total in db.session.execute(
        select(
            LetterRollup.action_id,
            LetterRollup.day,
            LetterRollup.channel,
            LetterRollup.status,
            func.sum(LetterRollup.count),
        )
        .where(LetterRollup.action_id.in_(ids), LetterRollup.day >= first_day)
        .group_by(LetterRollup.action_id, LetterRollup.day, LetterRollup.channel,
                  LetterRollup.status)
    ):  # fmt: skip
        if is_counted(channel, status):
            daily[action_id][day] += int(total or 0)
    return daily


def _last_24_hours(ids: list[int], now: datetime) -> dict[int, int]:
    """Return each action's counted letters in the current hour and the 23 before it."""
    # The current hour and the 23 before it.
    since = (now - timedelta(hours=23)).replace(minute=0, second=0, microsecond=0)
    recent: dict[int, int] = defaultdict(int)
    for action_id, day, hour, channel, status, total in db.session.execute(
        select(
            LetterRollup.action_id,
            LetterRollup.day,
            LetterRollup.hour,
            LetterRollup.channel,
            LetterRollup.status,
            func.sum(LetterRollup.count),
        )
        .where(LetterRollup.action_id.in_(ids), LetterRollup.day >= since.date())
        .group_by(LetterRollup.action_id, LetterRollup.day, LetterRollup.hour,
                  LetterRollup.channel, LetterRollup.status)
    ):  # fmt: skip
        if (
            is_counted(channel, status)
            and datetime.combine(day, datetime.min.time()).replace(hour=hour) >= since
        ):
            recent[action_id] += int(total or 0)
    return recent


def daily_counts(action: Action, period: DateRange) -> tuple[list[str], list[tuple]]:
    """Return column names and one row per day: letters per channel and status, and the total.

    Columns are "<channel>:<status>" for every pair seen or known, then "counted".
    """
    rows = db.session.execute(
        select(
            LetterRollup.day,
            LetterRollup.channel,
            LetterRollup.status,
            func.sum(LetterRollup.count),
        )
        .where(
            LetterRollup.action_id == action.id,
            LetterRollup.day >= period.start,
            LetterRollup.day <= period.end,
        )
        .group_by(LetterRollup.day, LetterRollup.channel, LetterRollup.status)
    ).all()
    seen = {(channel, status) for _, channel, status, _ in rows}
    pairs = list(KNOWN_CHANNEL_STATUSES) + sorted(seen - set(KNOWN_CHANNEL_STATUSES))
    table: dict[date, dict[tuple[str, str], int]] = defaultdict(dict)
    for day, channel, status, total in rows:
        table[day][(channel, status)] = int(total or 0)
    out = []
    for day in period.each_day():
        values = [table[day].get(pair, 0) for pair in pairs]
        counted = sum(v for pair, v in zip(pairs, values, strict=True) if is_counted(*pair))
        out.append((day.isoformat(), *values, counted))
    return ["date", *(f"{c}:{s}" for c, s in pairs), "counted"], out
