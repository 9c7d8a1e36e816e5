"""Public pages: the action list, the action page, the language choice and the health check."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    redirect,
    render_template,
    request,
)

from actionapp.extensions import db
from actionapp.i18n import (
    LANGUAGE_COOKIE,
    interface_language,
)
from actionapp.models import Action, utcnow
from actionapp.public import bp
from actionapp.public.pagecache import PageCache
from actionapp.services.actions import (
    action_state,
    days_left,
    live_actions,
    primary_targets,
    published_action,
    published_action_version,
    takes_letters,
)
from actionapp.services.counts import action_counts


@bp.get("/")
def index():
    """List the live actions, newest first."""
    now = utcnow()
    actions = live_actions(now)
    counts = {action.id: action_counts(action.id) for action in actions}
    states = {action.id: action_state(action, now) for action in actions}
    return render_template("public/index.html", actions=actions, counts=counts, states=states)


def published_or_404(slug: str) -> Action:
    """Return a published action or answer 404."""
    action = published_action(slug)
    if action is None:
        abort(404)
    return action


@bp.record_once
def _add_page_cache(state) -> None:
    state.app.extensions["actionapp_page_cache"] = PageCache()


@bp.get("/actions/<slug>")
def action_page(slug: str):
    """Show the case, what to ask for, the targets and the counter.

    The page is rendered once per version, language, day and count, and then served from the
    page cache: a view costs two small queries (the version and the exact counters).
    """
    now = utcnow()
    version = published_action_version(slug)
    if version is None:
        abort(404)
    counts = action_counts(version.id)
    key = (
        "action",
        version.id,
        version.updated_at,
        interface_language(),
        takes_letters(version.status, version.deadline, now),
        days_left(version.deadline, now),
        counts.supporters,
        counts.letters,
    )
    return current_app.extensions["actionapp_page_cache"].get_or_render(
        key, lambda: _render_action_page(slug, now, counts)
    )


def _render_action_page(slug: str, now, counts) -> str:
    action = published_or_404(slug)
    return render_template(
        "public/action.html",
        action=action,
        state=action_state(action, now),
        counts=counts,
        targets=primary_targets(action),
    )


@bp.get("/language/<code>")
def set_language(code: str):
    """Remember the visitor's interface language in a cookie and go back.

    A plain link (no form, no session) keeps public pages free of per-visitor state, so they
    can be served from the page cache; a forced language choice does no harm.
    """
    target = request.args.get("next", "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    response = redirect(target, 303)
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANGUAGE_COOKIE,
            code,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


@bp.get("/health")
def health():
    """Report whether the app and its database answer, and what the app cannot do."""
    from sqlalchemy import text

    from actionapp.services.pdf.fonts import CJK_MISSING_MESSAGE, cjk_font_available

    db.session.execute(text("SELECT 1"))
    report = {"status": "ok", "database": "ok", "cjk_font": "ok", "warnings": []}
    if not cjk_font_available():
        report["cjk_font"] = "missing"
        report["warnings"].append(CJK_MISSING_MESSAGE)
    return report
