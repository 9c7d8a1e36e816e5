"""Follow-up actions: the next urgent action on the same case, linked to the one before it.

A follow-up names the earlier action it follows (`Action.follows_id`). Its page tells the
case so far (every earlier published action, oldest first); an earlier action's page links
forward to its published follow-ups; and an update may invite its readers to a follow-up
(`ActionUpdate.follow_up_id`), on the page and in the email to those who wrote before.
A follow-up's own updates go to its own writers only: the invitation is the bridge, and
earlier writers join the new action by writing again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from actionapp.campaigns.actions import ActionState, action_state
from actionapp.campaigns.case_texts import ShownText, UpdateShown, case_texts
from actionapp.columns import utcnow
from actionapp.extensions import db
from actionapp.models import Action, ActionStatus, ActionUpdate
from actionapp.rule_errors import RuleError
from actionapp.stats.counts import action_counts

# The longest chain of actions on one case, this one included. Real cases have a handful
# ("further information" actions); the cap bounds every walk along the chain.
CHAIN_MAX = 20


class FollowUpError(RuleError):
    """A follow-up link the rules refuse.

    Codes: itself (an action cannot follow itself), unknown (no such action), cycle (title:
    the chosen action already follows this one, directly or through others), too_long
    (maximum: the chain would pass CHAIN_MAX actions), not_a_follow_up (an update may only
    invite to an action that follows its own).
    """


def is_published(action: Action) -> bool:
    """Tell whether an action has a public page (live or closed, not a draft)."""
    return action.status != ActionStatus.DRAFT


def _earlier(action_id: int | None, limit: int) -> list[Action]:
    """Return the actions up the chain from action_id (that one first), at most `limit`."""
    chain: list[Action] = []
    seen: set[int] = set()
    while action_id is not None and action_id not in seen and len(chain) < limit:
        seen.add(action_id)
        earlier = db.session.get(Action, action_id)
        if earlier is None:
            break
        chain.append(earlier)
        action_id = earlier.follows_id
    return chain


def _chain_below(action_id: int) -> int:
    """Return how many actions follow this one, in the longest line (bounded by CHAIN_MAX)."""
    depth, level = 0, {action_id}
    while level and depth < CHAIN_MAX:
        level = set(db.session.scalars(select(Action.id).where(Action.follows_id.in_(level))))
        depth += bool(level)
    return depth


def check_predecessor(action: Action | None, follows_id: int | None) -> None:
    """Refuse a predecessor that is the action itself, unknown, a cycle, or too long a chain.

    `action` is None for an action not yet created (it can be in no cycle yet).
    """
    if follows_id is None:
        return
    own_id = action.id if action is not None else None
    if follows_id == own_id:
        raise FollowUpError("itself")
    chosen = db.session.get(Action, follows_id)
    if chosen is None:
        raise FollowUpError("unknown")
    earlier = _earlier(follows_id, CHAIN_MAX + 1)
    if own_id is not None and any(a.id == own_id for a in earlier):
        raise FollowUpError("cycle", title=chosen.title)
    below = _chain_below(own_id) if own_id is not None else 0
    if len(earlier) + 1 + below > CHAIN_MAX:
        raise FollowUpError("too_long", maximum=CHAIN_MAX)


def set_predecessor(action: Action, follows_id: int | None) -> None:
    """Link an action to the earlier action it follows (checked first: check_predecessor).

    The pages of the earlier actions, before and after, change too (their forward link), so
    their version moves and cached renderings of them are dropped.
    """
    check_predecessor(action, follows_id)
    if action.follows_id == follows_id:
        return
    now = utcnow()
    for earlier_id in (action.follows_id, follows_id):
        earlier = db.session.get(Action, earlier_id) if earlier_id is not None else None
        if earlier is not None:
            earlier.updated_at = now
    action.follows_id = follows_id


def predecessor_choices(action: Action | None) -> list[Action]:
    """Return the actions an action may be linked to as its predecessor: every other one."""
    query = select(Action).order_by(Action.created_at.desc(), Action.id.desc())
    if action is not None and action.id is not None:
        query = query.where(Action.id != action.id)
    return list(db.session.scalars(query))


def follow_up_choices(action: Action) -> list[Action]:
    """Return the actions that follow this one (any status), which its updates may invite to."""
    return list(
        db.session.scalars(
            select(Action)
            .where(Action.follows_id == action.id)
            .order_by(Action.created_at.desc(), Action.id.desc())
        )
    )


def check_update_follow_up(action: Action, follow_up_id: int | None) -> None:
    """Refuse an update's invitation to an action that does not follow the update's action."""
    if follow_up_id is None:
        return
    follow_up = db.session.get(Action, follow_up_id)
    if follow_up is None or follow_up.follows_id != action.id:
        raise FollowUpError("not_a_follow_up")


# --- what pages and emails show ----------------------------------------------------------------


@dataclass(frozen=True)
class CaseLink:
    """A published action on the same case, as a link: its address and title in a language."""

    slug: str
    title: ShownText


def _link(action: Action, language: str) -> CaseLink:
    return CaseLink(action.slug, case_texts(action, language).title)


@dataclass(frozen=True)
class EarlierAction:
    """One earlier action of the case, as the history on a follow-up's page tells it."""

    link: CaseLink
    state: ActionState
    published_at: datetime | None
    # When it stopped taking letters (or will): its deadline, or its closing if earlier.
    letters_until: datetime
    letters: int
    updates: tuple[UpdateShown, ...]  # oldest first


def case_history(action: Action, language: str, now: datetime) -> list[EarlierAction]:
    """Return the published actions this one follows up, oldest first (at most CHAIN_MAX - 1).

    Titles and updates come in `language` through case_texts (with its fallbacks); letters
    are counted as the action page counts them.
    """
    earlier = [
        a
        for a in _earlier(action.follows_id, CHAIN_MAX - 1)
        if a.id != action.id and is_published(a)
    ]
    history = []
    for item in reversed(earlier):
        texts = case_texts(item, language)
        history.append(
            EarlierAction(
                link=CaseLink(item.slug, texts.title),
                state=action_state(item, now),
                published_at=item.published_at,
                letters_until=min(item.deadline, item.closed_at or item.deadline),
                letters=action_counts(item.id).letters,
                updates=tuple(reversed(texts.updates)),
            )
        )
    return history


def published_follow_ups(action: Action, language: str) -> list[CaseLink]:
    """Return the published actions that follow this one, first published first."""
    later = db.session.scalars(
        select(Action)
        .where(Action.follows_id == action.id, Action.status != ActionStatus.DRAFT)
        .order_by(Action.published_at, Action.id)
    )
    return [_link(a, language) for a in later]


def invited_follow_up(update: ActionUpdate, action: Action) -> Action | None:
    """Return the action an update invites to while it still follows the update's action."""
    if update.follow_up_id is None:
        return None
    follow_up = db.session.get(Action, update.follow_up_id)
    if follow_up is None or follow_up.follows_id != action.id:
        return None
    return follow_up


def invitation(update: ActionUpdate, action: Action, language: str) -> CaseLink | None:
    """Return the follow-up an update invites to, as a link, once it is published."""
    follow_up = invited_follow_up(update, action)
    if follow_up is None or not is_published(follow_up):
        return None
    return _link(follow_up, language)


def invitations(action: Action, language: str) -> dict[int, CaseLink]:
    """Return, per update of the action that invites to a published follow-up, its link."""
    found = {u.id: invitation(u, action, language) for u in action.updates if u.follow_up_id}
    return {update_id: link for update_id, link in found.items() if link is not None}
