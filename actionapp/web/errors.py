"""Error pages; after a post, the page that was posted comes back with what was typed."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from actionapp.database import is_database_busy
from actionapp.extensions import db

# Per endpoint: a function (status, message) -> response, or None when it cannot help, that
# shows the posted form again with everything typed and the message above it.
FormKeeper = Callable[[int, str], object]
_KEEPERS: dict[str, FormKeeper] = {}


def keeps_typed(endpoint: str) -> Callable[[FormKeeper], FormKeeper]:
    """Register the function that re-renders an endpoint's form after an error on its post."""

    def register(keeper: FormKeeper) -> FormKeeper:
        _KEEPERS[endpoint] = keeper
        return keeper

    return register


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


def _keeps_typed() -> bool:
    return request.method == "POST" and request.endpoint in _KEEPERS


def _kept_form(app: Flask, status: int, message: str):
    if not _keeps_typed():
        return None
    keeper = _KEEPERS[request.endpoint or ""]
    try:
        return keeper(status, message)
    except Exception:
        # An error page must not fail in turn: fall back to the plain one.
        db.session.rollback()
        app.logger.exception("Could not show the posted form again")
        return None


def _error_page(app: Flask, status: int, message: str):
    kept = _kept_form(app, status, message)
    if kept is not None:
        return kept
    return render_template("errors/error.html", code=status, message=message), status


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error as a page (or JSON under /api/)."""
    app.register_error_handler(CSRFError, partial(_csrf_error, app))
    app.register_error_handler(HTTPException, partial(_http_error, app))
    app.register_error_handler(OperationalError, partial(_database_error, app))
    app.register_error_handler(Exception, partial(_server_error, app))


def _csrf_error(app: Flask, error: CSRFError):
    """Show an expired form's page again with what was typed, or say how to resend it."""
    if _keeps_typed():
        message = _(
            "This page was open for a long time, so we renewed its security check. "
            "Everything you typed is below: please press the button again."
        )
        return _error_page(app, 400, message)
    message = _(
        "This form has expired or was sent from another page. Please go back, where what "
        "you typed is usually still there, and send it again: nothing was recorded."
    )
    return render_template("errors/error.html", code=400, message=message), 400


def _http_error(app: Flask, error: HTTPException):
    """Render an HTTP error as a page in the interface language (JSON under /api/)."""
    if error.code and error.code >= 500:
        db.session.rollback()
    if _wants_json():
        return jsonify(error=error.name, message=error.description), error.code
    if error.code == 429 and _keeps_typed():
        message = _(
            "Many letters were sent from here in the last minutes. Nothing was recorded yet "
            "and everything you typed is below: please wait a minute and press the button "
            "again."
        )
        return _error_page(app, 429, message)
    messages = {
        404: _("We could not find this page. The action may have moved or never existed."),
        413: _("What you sent is too large. Please shorten your text and try again."),
        429: _("Too many attempts in a short time. Please wait a minute and try again."),
    }
    message = messages.get(error.code or 500, error.description)
    return render_template("errors/error.html", code=error.code, message=message), error.code


def _database_error(app: Flask, error: OperationalError):
    """Ask to press again when the database is busy; otherwise an error like any other."""
    db.session.rollback()
    if not is_database_busy(error):
        return _server_error(app, error)
    app.logger.warning("Database busy: %s", error.orig)
    message = _(
        "Many letters are being recorded at this moment and yours could not be saved yet. "
        "Nothing was recorded and everything you typed is below: please press the button "
        "again in a few seconds."
    )
    response = app.make_response(_error_page(app, 503, message))
    response.headers["Retry-After"] = "5"
    return response


def _server_error(app: Flask, error: Exception):
    """Log an unexpected error and say that nothing was recorded."""
    db.session.rollback()
    app.logger.exception("Unhandled error")
    if _keeps_typed():
        message = _(
            "Something went wrong on our side and nothing was recorded. Everything you "
            "typed is below: please press the button again."
        )
        return _error_page(app, 500, message)
    message = _("Something went wrong on our side. Nothing you typed was recorded.")
    return render_template("errors/error.html", code=500, message=message), 500
