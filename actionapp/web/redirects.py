"""The one check for redirect targets that come from a visitor (``next`` parameters)."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from flask import request
from werkzeug.urls import iri_to_uri

# Longer targets are no path of ours; the sign-in form carries at most this much too.
MAX_TARGET_LENGTH = 500


def _unsafe(text: str) -> bool:
    """Tell whether a browser could read this as leaving the site (or it is malformed)."""
    if not text.startswith("/") or len(text) > MAX_TARGET_LENGTH:
        return True
    # Browsers drop tabs and newlines and read "\" as "/": "/\t/evil", "/\evil" mean "//evil".
    # Control and format characters (C0, C1, DEL, bidi marks) have no place in our paths.
    if "\\" in text or any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        return True
    if text.startswith("//"):
        return True
    parts = urlsplit(text)
    return bool(parts.scheme or parts.netloc)


def safe_redirect_target(target: str | None, fallback: str) -> str:
    """Return target if it is a path on this site as a browser reads it, else fallback.

    The target is checked as given and after percent-decoding (until stable), because a proxy,
    a framework or a second redirect may decode it once more. The result is ASCII (IRIs are
    encoded) so that it is a valid Location header.
    """
    if not isinstance(target, str) or not target:
        return fallback
    seen = target
    for _ in range(5):
        if _unsafe(seen):
            return fallback
        decoded = unquote(seen)
        if decoded == seen:
            break
        seen = decoded
    else:
        return fallback  # encoded more deeply than any honest link
    return iri_to_uri(target)


def current_page() -> str:
    """Return the path of the page being served as the browser asked for it, to come back to.

    The app's own path prefix (served under https://example.org/ua) is kept: a redirect to
    `request.path` alone would leave the app. A post comes back to its page without the query.
    """
    path = request.full_path.rstrip("?") if request.method == "GET" else request.path
    return request.script_root + path
