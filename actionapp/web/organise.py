"""Organiser pages: dashboard, action editor, statistics, exports and privacy tools."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, url_for

bp = Blueprint("organise", __name__)


@bp.after_request
def no_caching(response: Response) -> Response:
    """Keep organiser pages (statistics, personal data) out of every cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def action_image_url(action) -> str | None:
    """Return the address of an action's image: an upload (/media/...) or a built-in one."""
    from actionapp.campaigns.images import UPLOAD_PREFIX

    image = action.image
    if not image:
        return None
    if image.startswith(UPLOAD_PREFIX):
        return url_for("media.action_image", name=image.removeprefix(UPLOAD_PREFIX))
    return url_for("static", filename="img/" + image)


def register(app: Flask) -> None:
    """Add the organiser routes (each module adds its own to bp) and the template helpers."""
    # Imported here, not at the top: each module adds its routes to bp when first imported.
    import actionapp.replies.views
    import actionapp.solidarity.views  # noqa: F401
    from actionapp.campaigns import (
        case_texts_views,  # noqa: F401
        dashboard_views,  # noqa: F401
        editor_views,  # noqa: F401
        model_letters_views,  # noqa: F401
        targets_views,  # noqa: F401
    )
    from actionapp.email import updates_views  # noqa: F401
    from actionapp.events import review_views  # noqa: F401
    from actionapp.letters import coaching_views  # noqa: F401
    from actionapp.organisers import admin_views  # noqa: F401
    from actionapp.stats import export_views  # noqa: F401

    app.register_blueprint(bp, url_prefix="/organise")
    # A URL builder from the action in hand (no query, no rule), so a template global.
    app.add_template_global(action_image_url)
