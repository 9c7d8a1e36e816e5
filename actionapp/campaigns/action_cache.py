"""Published actions kept whole in each process, keyed by their version.

Every supporter's composer needs the same action, targets and model letters. Loading them on
each request cost more than everything else a submission does, so each process keeps the last
version it saw, read-only and detached from any session, and reloads when `updated_at` moves
(any change to the action or one of its parts bumps it).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from actionapp.campaigns.action_pages import ActionPageVersion
from actionapp.extensions import db
from actionapp.lru import LruCache
from actionapp.models import Action


@dataclass(frozen=True)
class CachedAction:
    """One version of an action with its parts loaded, and values worked out from it."""

    action: Action
    _memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """Return a value derived from this version only, computing it the first time."""
        try:
            return self._memo[key]
        except KeyError:
            return self._memo.setdefault(key, compute())


def load_whole_action(action_id: int) -> Action:
    """Load an action with its targets, model letters and updates, detached and read-only."""
    # Its own short session, so that the request's session never holds (or expires) it;
    # closing the session detaches the objects and keeps what was loaded.
    with Session(db.engine, expire_on_commit=False) as session:
        action = session.scalar(
            select(Action)
            .options(
                selectinload(Action.targets),
                selectinload(Action.model_letters),
                selectinload(Action.updates),
            )
            .where(Action.id == action_id)
        )
    if action is None:
        raise LookupError(action_id)
    return action


class ActionCache:
    """A small least-recently-used cache of whole actions, keyed by id and `updated_at`."""

    def __init__(self, size: int = 32) -> None:
        self._entries: LruCache[CachedAction] = LruCache(size)

    def get(self, version: ActionPageVersion) -> CachedAction:
        """Return the action as of this version, loading it on a miss."""
        key = (version.id, version.updated_at)
        entry = self._entries.get(key)
        if entry is None:
            entry = CachedAction(load_whole_action(version.id))
            self._entries.put(key, entry)
        return entry
