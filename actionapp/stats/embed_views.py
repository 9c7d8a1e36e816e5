"""The embeddable counter (no cookies, nothing from elsewhere) and uploaded action images."""

from __future__ import annotations

from contextlib import nullcontext

from flask import Blueprint, abort, current_app, make_response, render_template, request
from flask import send_from_directory as send_file_from
from flask_babel import force_locale

from actionapp.campaigns.actions import action_state, published_action
from actionapp.campaigns.case_texts import case_texts
from actionapp.campaigns.images import STORED_NAME
from actionapp.models import utcnow
from actionapp.stats.counts import action_counts
from actionapp.web.i18n import interface_language
from actionapp.web.sessions import without_cookies

bp = Blueprint("embed", __name__)
media = Blueprint("media", __name__)

# Any site may frame the counter; it loads only its own stylesheet and runs no script.
EMBED_CSP = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors *",
    ]
)


@bp.get("/embed/actions/<slug>/counter")
def counter(slug: str):
    """Show an action's letter count and progress, for partners' pages (in an iframe)."""
    without_cookies()
    action = published_action(slug)
    if action is None:
        abort(404)
    # Partners choose the language with ?lang=; otherwise the browser's languages decide.
    language = request.args.get("lang", "")
    chosen = language in current_app.config["LANGUAGES"]
    with force_locale(language) if chosen else nullcontext():
        page = render_template(
            "embed/counter.html",
            action=action,
            # Inside force_locale: the texts in the language the partner chose.
            texts=case_texts(action, interface_language()),
            counts=action_counts(action.id),
            state=action_state(action, utcnow()),
            lang_param=language if chosen else None,
        )
    response = make_response(page)
    response.headers["Content-Security-Policy"] = EMBED_CSP
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@media.get("/media/actions/<name>")
def action_image(name: str):
    """Serve an uploaded (re-encoded) action image."""
    without_cookies()
    if not STORED_NAME.match(name):
        abort(404)
    response = send_file_from(current_app.config["UPLOAD_FOLDER"], name, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
