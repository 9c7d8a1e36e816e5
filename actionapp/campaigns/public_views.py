"""Public pages: the action list, the action page, the language choice and the health check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import (
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from actionapp.campaigns.actions import (
    action_state,
    live_actions,
    primary_targets,
    reads_own_language,
)
from actionapp.campaigns.case_texts import case_texts
from actionapp.campaigns.follow_ups import case_history, invitations, published_follow_ups
from actionapp.extensions import db
from actionapp.models import Action, utcnow
from actionapp.replies.reports import reported_reply_count
from actionapp.solidarity.messages import page_messages
from actionapp.state import app_state
from actionapp.stats.counts import ActionCounts, action_counts
from actionapp.web.i18n import LANGUAGE_COOKIE, interface_language
from actionapp.web.pagecache import KEEP_UNTIL_KEY, LANGUAGE_KEY, VERSION_KEY, action_page_versions
from actionapp.web.public import bp
from actionapp.web.redirects import safe_redirect_target


@bp.get("/")
def index():
    """List the live actions, newest first."""
    now = utcnow()
    actions = live_actions(now)
    counts = {action.id: action_counts(action.id) for action in actions}
    states = {action.id: action_state(action, now) for action in actions}
    texts = {action.id: case_texts(action, interface_language()) for action in actions}
    return render_template(
        "public/index.html", actions=actions, action_texts=texts, counts=counts, states=states
    )


@bp.get("/actions/<slug>")
def action_page(slug: str):
    """Show the case, what to ask for, the targets and the counter.

    The page is the same for everyone reading it in one language, so the response is kept in
    the page cache (public/pagecache.py), which serves it again while it is current.
    """
    environ = request.environ
    version = environ.get(VERSION_KEY) or action_page_versions(current_app).get(slug)
    if version is None:
        abort(404)
    action = app_state().action_cache.get(version).action
    now = utcnow()
    state = action_state(action, now)
    language = interface_language()
    targets = primary_targets(action)
    response = make_response(
        render_template(
            "public/action.html",
            action=action,
            texts=case_texts(action, language),
            state=state,
            counts=ActionCounts(supporters=version.supporters, letters=version.letters),
            targets=targets,
            # The language each target's letters go in, by the rule that writes them.
            own_language={t.id: reads_own_language(action, t) for t in targets},
            replies_reported=reported_reply_count(action.id) if action.show_reply_count else 0,
            wall=page_messages(action),
            # The same case before and after this action (read on each rendering: another
            # action's change shows within the page's minute in the cache).
            history=case_history(action, language, now) if action.follows_id else [],
            continues=published_follow_ups(action, language),
            invitations=invitations(action, language),
        )
    )
    response.vary.update(("Cookie", "Accept-Language"))
    # Keep it for everyone only when rendered for a visitor with no session (no organiser, no
    # open composer), so that nothing personal can have gone into it.
    if environ.get(LANGUAGE_KEY) == language and not session:
        environ[KEEP_UNTIL_KEY] = page_keep_until(action, now)
    return response


def page_keep_until(action: Action, now: datetime) -> float:
    """Return when a rendering of the action page stops being current by itself."""
    # The days left change at most a minute late; the page turns to "closed" at the deadline.
    until = now + timedelta(seconds=60)
    if action.deadline > now:
        until = min(until, action.deadline)
    return until.replace(tzinfo=UTC).timestamp()


@bp.get("/language/<code>")
def set_language(code: str):
    """Remember the visitor's interface language in a cookie and go back.

    A plain link (no form, no session) keeps public pages free of per-visitor state, so they
    can be served from the page cache; a forced language choice does no harm.
    """
    response = redirect(
        safe_redirect_target(request.args.get("next"), url_for("public.index")), 303
    )
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

    from actionapp.printing.pdf.fonts import CJK_MISSING_MESSAGE, cjk_font_available

    db.session.execute(text("SELECT 1"))
    report = {"status": "ok", "database": "ok", "cjk_font": "ok", "warnings": []}
    if not cjk_font_available():
        report["cjk_font"] = "missing"
        report["warnings"].append(CJK_MISSING_MESSAGE)
    return report
