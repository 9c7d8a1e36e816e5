"""What the app keeps in each process, in one object the factory makes (app.extensions)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app

from actionapp.campaigns.action_cache import ActionCache
from actionapp.campaigns.action_pages import ActionPageVersions

EXTENSION_KEY = "actionapp"


@dataclass
class AppState:
    """The per-process caches: whole published actions, and the page cache's version reader."""

    action_cache: ActionCache = field(default_factory=ActionCache)
    # Made on first use: it compiles its statement for the app's database engine.
    page_versions: ActionPageVersions | None = None


def init_state(app: Flask) -> AppState:
    """Give the app its state object (the factory calls this once per app)."""
    state = app.extensions[EXTENSION_KEY] = AppState()
    return state


def app_state(app: Flask | None = None) -> AppState:
    """Return the state of this app (or of the current app)."""
    return (app or current_app).extensions[EXTENSION_KEY]
