"""Finding actions and telling where each stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select

from actionapp.extensions import db
from actionapp.models import Action, ActionStatus, ModelLetter, Submission, Target, TargetKind


def live_actions(now: datetime) -> list[Action]:
    """Return the actions open for letters, newest first."""
    return list(
        db.session.scalars(
            select(Action)
            .where(Action.status == ActionStatus.LIVE, Action.deadline > now)
            .order_by(Action.published_at.desc(), Action.id.desc())
        )
    )


def published_action(slug: str) -> Action | None:
    """Return the action with this slug if it has been published (live or closed)."""
    return db.session.scalar(
        select(Action).where(Action.slug == slug, Action.status != ActionStatus.DRAFT)
    )


def takes_letters(status: ActionStatus, deadline: datetime, now: datetime) -> bool:
    """Tell whether an action with this status and deadline accepts letters now."""
    return status == ActionStatus.LIVE and deadline > now


class FollowUp(StrEnum):
    """Whether a letter already written may still be confirmed or reported sent or posted."""

    OPEN = "open"
    CLOSED = "closed"  # the organisers closed the action (or it was begun too late)
    EXPIRED = "expired"  # more than the confirmation window after it was written


def letter_follow_up(
    status: ActionStatus,
    deadline: datetime,
    written_at: datetime,
    valid_until: datetime,
    now: datetime,
) -> FollowUp:
    """Tell whether a letter begun at written_at may be confirmed, reported sent or posted now.

    The one rule for all three channels (email confirmation, "I've sent it", "I posted it"):
    a letter begun before the deadline may be finished for as long as its confirmation
    window lasts (valid_until: written_at + CONFIRM_DAYS, what the email promises), even
    after the deadline; not once the organisers have closed the action.
    """
    if status != ActionStatus.LIVE or written_at >= deadline:
        return FollowUp.CLOSED
    if now > valid_until:
        return FollowUp.EXPIRED
    return FollowUp.OPEN


def submission_follow_up(submission: Submission, now: datetime, window: timedelta) -> FollowUp:
    """Apply letter_follow_up to a submission; window is CONFIRM_DAYS as a timedelta."""
    action = submission.action
    # An emailed submission keeps the expiry its confirmation link was given when written.
    valid_until = submission.confirm_expires_at or submission.created_at + window
    return letter_follow_up(action.status, action.deadline, submission.created_at, valid_until, now)


def days_left(deadline: datetime, now: datetime) -> int:
    """Whole days left before a deadline (0 when past it)."""
    return max((deadline - now).days, 0)


@dataclass(frozen=True)
class ActionState:
    """Where an action stands at one moment."""

    status: str  # "live", "closed", or the latest outcome word such as "released"
    accepting: bool
    time_left: timedelta
    # Whether a letter posted now is still likely to arrive before the deadline.
    post_in_time: bool

    days_left: int


def action_state(action: Action, now: datetime) -> ActionState:
    """Tell whether an action takes letters now, how long is left and what to show."""
    time_left = action.deadline - now
    accepting = takes_letters(action.status, action.deadline, now)
    outcome = next((u.outcome for u in action.updates if u.outcome), "")
    status = outcome or ("live" if accepting else "closed")
    return ActionState(
        status=status,
        accepting=accepting,
        time_left=max(time_left, timedelta(0)),
        days_left=days_left(action.deadline, now),
        post_in_time=accepting and time_left >= timedelta(days=action.post_days),
    )


def primary_targets(action: Action) -> list[Target]:
    """Return the targets every supporter can write to, in order."""
    return [t for t in action.targets if t.kind == TargetKind.PRIMARY]


def embassy_for(action: Action, country: str) -> Target | None:
    """Return the embassy copy for supporters in a country, if the action has one."""
    return next(
        (
            t
            for t in action.targets
            if t.kind == TargetKind.EMBASSY and t.supporter_country == country
        ),
        None,
    )


def recipients_for(action: Action, country: str, target_ids: list[int]) -> list[Target]:
    """Return the chosen primary targets plus the embassy copy for the supporter's country."""
    chosen = [t for t in primary_targets(action) if t.id in set(target_ids)]
    embassy = embassy_for(action, country)
    return [*chosen, embassy] if embassy else chosen


def letter_languages(action: Action) -> list[str]:
    """Return the languages the action has model letters in, its own language first."""
    codes = {letter.language for letter in action.model_letters}
    return sorted(codes, key=lambda code: (code != action.language, code))


def model_letter(action: Action, variant: str, language: str) -> ModelLetter | None:
    """Return one language version of a model letter."""
    return next(
        (m for m in action.model_letters if m.variant == variant and m.language == language),
        None,
    )


def reads_own_language(action: Action, target: Target) -> bool | None:
    """Tell whether a target's letters go in its own language, as `target_language` decides:
    with every model letter (True), with none (False: the writer's), or only with some (None).
    """
    every = {m.variant for m in action.model_letters}
    own = {v for v in every if model_letter(action, v, target.language) is not None}
    if own == every:
        return True
    return None if own else False


def variants(action: Action, language: str) -> list[ModelLetter]:
    """Return the model letters offered in a language (falling back to the action's language)."""
    found = [m for m in action.model_letters if m.language == language]
    return found or [m for m in action.model_letters if m.language == action.language]
