"""Error pages."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from actionapp.extensions import db


def too_late_page(reason: str, days: int):
    """Return the 410 page for a letter that can no longer be counted ("expired" or "closed")."""
    if reason == "expired":
        message = _(
            "This letter was written more than %(days)s days ago, so it can no longer be "
            "counted. Nothing was recorded. You are welcome to write a new one while the "
            "action is open.",
            days=days,
        )
    else:
        message = _(
            "This action is closed: letters are no longer counted, so nothing was recorded."
        )
    response = make_response(render_template("errors/error.html", code=410, message=message), 410)
    response.headers["Cache-Control"] = "no-store"
    return response


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error as a page (or JSON under /api/)."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = _(
            "This form has expired or was sent from another page. "
            "Please go back, reload the page and send it again: nothing you typed was recorded."
        )
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code and error.code >= 500:
            db.session.rollback()
        if _wants_json():
            return jsonify(error=error.name, message=error.description), error.code
        messages = {
            404: _("We could not find this page. The action may have moved or never existed."),
            413: _("What you sent is too large. Please shorten your text and try again."),
            429: _("Too many attempts in a short time. Please wait a minute and try again."),
        }
        message = messages.get(error.code or 500, error.description)
        return render_template("errors/error.html", code=error.code, message=message), error.code

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        message = _("Something went wrong on our side. Nothing you typed was recorded.")
        return render_template("errors/error.html", code=500, message=message), 500
