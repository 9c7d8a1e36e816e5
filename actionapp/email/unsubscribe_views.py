"""Unsubscribing from update emails: RFC 8058 one-click POST, and a page with buttons."""

from __future__ import annotations

from flask import abort, current_app, make_response, render_template, request
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from actionapp.campaigns.case_texts import case_texts
from actionapp.email.updates import read_unsubscribe_token, unsubscribe
from actionapp.extensions import csrf, db
from actionapp.models import Action, utcnow
from actionapp.web.emailed import bp
from actionapp.web.i18n import interface_language
from actionapp.web.sessions import without_cookies

ONE_CLICK = "One-Click"


def _page(link, done: str = ""):
    action = db.session.get(Action, link.action_id)
    texts = case_texts(action, interface_language())
    page = render_template(
        "public/unsubscribe.html", action=action, texts=texts, done=done, test=link.test
    )
    response = make_response(page)
    # Behind an unguessable link: keep it out of caches.
    response.headers["Cache-Control"] = "no-store"
    return response


def _link_or_404(token: str):
    link = read_unsubscribe_token(current_app.config["SECRET_KEY"], token)
    if link is None:
        abort(404)
    return link


@bp.get("/u/<token>")
def unsubscribe_page(token: str):
    """Show buttons to stop this action's updates or all; following the link changes nothing."""
    return _page(_link_or_404(token))


@bp.post("/u/<token>")
@csrf.exempt
def unsubscribe_post(token: str):
    """Unsubscribe: a mail client's one-click POST (RFC 8058, no cookie, no CSRF) or the page."""
    link = _link_or_404(token)
    one_click = request.form.get("List-Unsubscribe") == ONE_CLICK
    if one_click:
        without_cookies()
    elif current_app.config.get("WTF_CSRF_ENABLED", True):
        # Only the one-click body goes without CSRF; the page's buttons are a normal form.
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as error:
            raise CSRFError(str(error)) from error
    everything = not one_click and request.form.get("scope") == "all"
    unsubscribe(link, everything, utcnow())
    db.session.commit()
    return _page(link, "all" if everything else "action")
