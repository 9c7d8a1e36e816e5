"""Who may see organiser pages: Flask-Login set-up, session expiry and role checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from flask import Flask, abort, current_app, flash, redirect, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from actionapp.extensions import login_manager
from actionapp.models import Organiser, Role, utcnow
from actionapp.organisers.accounts import organiser_for_session
from actionapp.web.redirects import current_page, safe_redirect_target

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"


def init_login(app: Flask) -> None:
    """Attach Flask-Login: sign-in page, messages and how a session finds its organiser."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    # Flask-Login's own protection does nothing for permanent sessions (ours) and, in "strong"
    # mode, clears supporters' sessions with a cookie on every page. Organiser sessions are
    # protected by their cookie settings, their expiry and the session token instead.
    login_manager.session_protection = None

    @login_manager.user_loader
    def load_organiser(login_id: str) -> Organiser | None:
        return organiser_for_session(login_id)


def start_session(now: datetime) -> None:
    """Mark the session as signed in now (called right after login_user)."""
    session.permanent = True
    session[SIGNED_IN_AT] = now.timestamp()
    session[SEEN_AT] = now.timestamp()


def session_expired(now: datetime) -> bool:
    """Tell whether the signed-in session is too old or has been idle too long."""
    config = current_app.config
    signed_in = session.get(SIGNED_IN_AT)
    seen = session.get(SEEN_AT)
    if not isinstance(signed_in, (int, float)) or not isinstance(seen, (int, float)):
        return True
    stamp = now.timestamp()
    too_old = stamp - signed_in > timedelta(hours=config["ORGANISER_SESSION_HOURS"]).total_seconds()
    idle = stamp - seen > timedelta(minutes=config["ORGANISER_IDLE_MINUTES"]).total_seconds()
    return too_old or idle


def end_session() -> None:
    """Sign the organiser out and forget everything in the session."""
    logout_user()
    session.clear()


def role_required(role: Role) -> Callable:
    """Let only signed-in organisers with at least this role in; others sign in or get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            now = utcnow()
            if session_expired(now):
                end_session()
                flash(_l("Your session has expired. Please sign in again."), "info")
                return redirect(url_for("auth.sign_in", next=current_page()))
            if not current_user.can(role):
                abort(403)
            session[SEEN_AT] = now.timestamp()
            return view(*args, **kwargs)

        guarded.required_role = role  # type: ignore[attr-defined]
        return guarded

    return decorator


def current_organiser() -> Organiser:
    """Return the signed-in organiser (only inside a role_required view)."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


def safe_next(target: str | None) -> str:
    """Return a local path to go to after signing in, or the dashboard."""
    return safe_redirect_target(target, url_for("organise.dashboard"))
