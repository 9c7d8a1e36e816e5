"""The session cookie, and pages that must not set one (the embeddable counter)."""

from __future__ import annotations

from flask import Flask, g
from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, except on responses that promise to set no cookie."""

    def save_session(self, app: Flask, session, response) -> None:
        """Save the session unless the view called without_cookies()."""
        if g.get("without_cookies"):
            return
        super().save_session(app, session, response)


def without_cookies() -> None:
    """Make this response set no cookie at all, even for a signed-in organiser."""
    g.without_cookies = True
