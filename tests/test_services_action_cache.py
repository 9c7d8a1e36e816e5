"""The per-process cache of whole actions (campaigns/action_cache.py), called directly."""

from __future__ import annotations

import pytest

from actionapp.campaigns.action_cache import ActionCache, load_whole_action
from actionapp.campaigns.action_pages import ActionPageVersion, ActionPageVersions
from actionapp.campaigns.editing import save_target
from actionapp.extensions import db
from actionapp.models import utcnow
from tests.builders import build_action, target_fields


def _version(action, updated_at) -> ActionPageVersion:
    return ActionPageVersion(action.id, updated_at, "live", 0, 0)


def _live_action():
    action = build_action(utcnow(), targets=(target_fields(), target_fields("Judge Li")))
    db.session.commit()
    return action


def test_a_loaded_action_keeps_its_parts_outside_any_session(app):
    action_id = _live_action().id
    db.session.remove()
    loaded = load_whole_action(action_id)
    assert loaded not in db.session
    assert [t.name for t in loaded.targets] == ["Minister Wei", "Judge Li"]
    assert [m.variant for m in loaded.model_letters] == ["release"]
    assert loaded.updates == []


def test_an_unknown_action_is_a_lookup_error(app):
    with pytest.raises(LookupError):
        load_whole_action(999_999)


def test_one_version_is_loaded_once_and_a_new_version_is_loaded_again(app):
    action = _live_action()
    cache = ActionCache(size=4)
    first = cache.get(_version(action, "v1"))
    assert cache.get(_version(action, "v1")) is first
    save_target(action, None, target_fields("Governor Zhao"))
    db.session.commit()
    second = cache.get(_version(action, "v2"))
    assert second is not first
    assert [t.name for t in first.action.targets] == ["Minister Wei", "Judge Li"]
    assert [t.name for t in second.action.targets][-1] == "Governor Zhao"


def test_the_version_the_page_cache_reads_moves_when_a_target_changes(app):
    action = _live_action()
    versions = ActionPageVersions(db.engine)
    before = versions.get(action.slug)
    cache = ActionCache()
    assert cache.get(before).action.targets[0].title == "Minister of Justice"
    action.targets[0].title = "Minister of Justice and Public Security"
    db.session.commit()
    after = versions.get(action.slug)
    assert after.updated_at != before.updated_at
    assert cache.get(after).action.targets[0].title == "Minister of Justice and Public Security"


def test_the_least_recently_used_version_goes_first(app):
    one, two = _live_action(), build_action(utcnow(), slug="free-li")
    db.session.commit()
    cache = ActionCache(size=1)
    first = cache.get(_version(one, "v1"))
    cache.get(_version(two, "v1"))
    assert cache.get(_version(one, "v1")) is not first


def test_memo_computes_once_per_version(app):
    entry = ActionCache().get(_version(_live_action(), "v1"))
    calls = []
    for _ in range(3):
        value = entry.memo("choices", lambda: calls.append(1) or len(calls))
    assert (value, calls) == (1, [1])
