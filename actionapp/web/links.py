"""Links to the app's own pages from their routes, at the public address (ACTIONAPP_PUBLIC_URL).

Emails, PDFs, the outbox worker and the CLI link here rather than writing paths by hand, so a
link always follows its route. They link to the public address whether or not a request is
being served (and never to the host a request happened to come in on); a path in the public
address (https://example.org/ua) is kept in front of every link.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from werkzeug.routing import Map, MapAdapter


@lru_cache(maxsize=8)
def _public_adapter(url_map: Map, public_url: str) -> MapAdapter:
    parts = urlsplit(public_url)
    return url_map.bind(
        parts.netloc or "localhost",
        script_name=parts.path.rstrip("/") or "/",
        url_scheme=parts.scheme or "https",
    )


def public_url_for(endpoint: str, **values: Any) -> str:
    """Return the absolute public address of a route, as url_for builds it (values, defaults)."""
    app = current_app
    app.inject_url_defaults(endpoint, values)
    adapter = _public_adapter(app.url_map, app.config["PUBLIC_URL"])
    return adapter.build(endpoint, values, force_external=True)


def path_pattern(app: Flask, endpoint: str, argument: str, allowed: str) -> re.Pattern[str]:
    """Return a pattern of a route's path (as WSGI's PATH_INFO has it) that captures one value.

    For code in front of Flask (the page cache) that must recognise a route without routing:
    built from the route itself, so the two cannot drift apart. `allowed` is a regex of one
    character of the value (from its converter).
    """
    marker = "0MARK0"
    path = app.url_map.bind("localhost").build(endpoint, {argument: marker})
    before, _, after = path.partition(marker)
    return re.compile(re.escape(before) + f"({allowed}{{1,120}})" + re.escape(after))
