"""Rendered action pages, served in front of Flask for as long as they are current.

An action page is the same for every visitor who reads it in the same language, so each
process keeps the last rendering of each page and serves it again while the action's version,
its public counts and the time-dependent parts (days left, open or closed) are unchanged. A
view then costs one small query, with no Flask request handling at all. A miss goes through
Flask as usual; the view marks its response as cacheable, and the middleware keeps exactly
the bytes and headers Flask sent (the security headers included).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from flask import Flask
from werkzeug.http import parse_cookie

from actionapp.campaigns.action_pages import ActionPageVersion, ActionPageVersions
from actionapp.extensions import db
from actionapp.lru import LruCache
from actionapp.state import app_state
from actionapp.web.i18n import LANGUAGE_COOKIE, negotiate_language
from actionapp.web.links import path_pattern

# Set in the WSGI environ: by the middleware (what it looked up), by the view (keep the page).
VERSION_KEY = "actionapp.action_page_version"
LANGUAGE_KEY = "actionapp.page_language"
KEEP_UNTIL_KEY = "actionapp.page_keep_until"


@dataclass(frozen=True)
class CachedPage:
    """One rendered response and the moment it stops being current."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes
    keep_until: float  # seconds since the epoch


class PageCache:
    """Rendered pages, keyed by everything the page depends on, served while current."""

    def __init__(self, size: int = 256) -> None:
        self._pages: LruCache[CachedPage] = LruCache(size)

    def get(self, key: Hashable, now: float) -> CachedPage | None:
        """Return the page for the key if it is still current."""
        page = self._pages.get(key)
        return page if page is not None and page.keep_until > now else None

    def put(self, key: Hashable, page: CachedPage) -> None:
        """Keep a page."""
        self._pages.put(key, page)


class ActionPageMiddleware:
    """Serve GET /actions/<slug> from the page cache, or let Flask render and keep it."""

    def __init__(
        self,
        wsgi_app: Callable,
        cache: PageCache,
        versions: Callable[[], ActionPageVersions],
        languages: tuple[str, ...],
        action_path: re.Pattern[str],
    ) -> None:
        self.wsgi_app = wsgi_app
        self._action_path = action_path
        self.cache = cache
        self._versions = versions
        self._languages = languages

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Answer from the cache when the page is current; otherwise call the app."""
        match = None
        if environ.get("REQUEST_METHOD") == "GET" and not environ.get("QUERY_STRING"):
            match = self._action_path.fullmatch(environ.get("PATH_INFO", ""))
        if match is None:
            return self.wsgi_app(environ, start_response)
        version = self._versions().get(match[1])
        if version is None:
            return self.wsgi_app(environ, start_response)  # Flask answers 404
        language = negotiate_language(
            parse_cookie(environ).get(LANGUAGE_COOKIE),
            environ.get("HTTP_ACCEPT_LANGUAGE", ""),
            self._languages,
        )
        key = page_key(version, language, environ.get("wsgi.url_scheme", "http"))
        page = self.cache.get(key, time.time())
        if page is not None:
            start_response(page.status, page.headers)
            return [page.body]
        environ[VERSION_KEY] = version
        environ[LANGUAGE_KEY] = language
        return self._render_and_keep(key, environ, start_response)

    def _render_and_keep(self, key, environ, start_response) -> Iterable[bytes]:
        sent: list = []

        def capture(status, headers, exc_info=None):
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        keep_until = environ.get(KEEP_UNTIL_KEY)
        status, headers = sent
        # Only a page the view marked as the same for everyone: never one that sets a cookie.
        if (
            keep_until is not None
            and status.startswith("200")
            and not any(name.lower() == "set-cookie" for name, _ in headers)
        ):
            self.cache.put(key, CachedPage(status, list(headers), body, keep_until))
        return [body]


def action_page_versions(app: Flask) -> ActionPageVersions:
    """Return the app's reader of action page versions (made on first use, per process)."""
    state = app_state(app)
    if state.page_versions is None:
        with app.app_context():
            state.page_versions = ActionPageVersions(db.engine)
    return state.page_versions


def install_page_cache(app: Flask) -> None:
    """Put the action page cache in front of the app's request handling."""
    app.wsgi_app = ActionPageMiddleware(  # type: ignore[method-assign]
        app.wsgi_app,
        PageCache(),
        lambda: action_page_versions(app),
        tuple(app.config["LANGUAGES"]),
        # From the route: a slug is one path segment (the string converter's [^/]).
        path_pattern(app, "public.action_page", "slug", "[^/]"),
    )


def page_key(version: ActionPageVersion, language: str, scheme: str) -> tuple:
    """Return the cache key of an action page: what its HTML and headers depend on."""
    # The language picks both the interface and the case texts (services.case_texts); an edit
    # of any text in any language, or of an update's, moves updated_at (models/actions.py).
    return (
        version.id,
        version.updated_at,
        version.status,
        version.supporters,
        version.letters,
        language,
        scheme,
    )
