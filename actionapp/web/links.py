"""Links to the app's own pages under its public address (ACTIONAPP_PUBLIC_URL)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def public_url_for(public_url: str, endpoint: str, **values) -> str:
    """Return url_for(endpoint, _external=True) as seen from the site's public address.

    Emails are read far from the request that built them (an organiser may work on another
    host name, the worker has no request at all), so their links name the configured public
    address rather than the request's host; the route itself still comes from the URL map.
    """
    parts = urlsplit(public_url)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
