"""Organiser sign-in and sign-out."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from actionapp.database import write_transaction
from actionapp.extensions import db, limiter
from actionapp.models import Organiser, utcnow
from actionapp.organisers.access import end_session, safe_next, start_session
from actionapp.organisers.accounts import ThrottlePolicy, authenticate, end_all_sessions
from actionapp.organisers.sign_in_forms import SignInForm
from actionapp.web.i18n import format_when

bp = Blueprint("auth", __name__)


def _sign_in_limit() -> str:
    return current_app.config["SIGNIN_RATE_LIMIT"]


def _policy() -> ThrottlePolicy:
    config = current_app.config
    return ThrottlePolicy(
        account_max=int(config["SIGNIN_ACCOUNT_MAX_FAILURES"]),
        address_max=int(config["SIGNIN_ADDRESS_MAX_FAILURES"]),
        window=timedelta(minutes=int(config["SIGNIN_WINDOW_MINUTES"])),
        lockout=timedelta(minutes=int(config["SIGNIN_LOCKOUT_MINUTES"])),
    )


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def sign_in():
    """Show the sign-in form and sign an organiser in."""
    form = SignInForm()
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(safe_next(request.args.get("next")), 303)
        form.next.data = request.args.get("next", "")
        return _page(form)
    if not form.validate():
        return _page(form, 422)
    now = utcnow()
    with write_transaction():
        result = authenticate(
            form.email.data, form.password.data, request.remote_addr or "", now, _policy()
        )
        organiser = result.organiser
    if result.locked_until is not None:
        minutes = max(1, int((result.locked_until - now).total_seconds() + 59) // 60)
        if result.locked_scope == "account":
            message = _(
                "Too many failed sign-ins for this account. For its safety, signing in is "
                "paused until %(time)s UTC (about %(minutes)d minutes). Ask an admin if you "
                "have forgotten your password.",
                time=format_when(result.locked_until, "short"),
                minutes=minutes,
            )
        else:
            message = _(
                "Too many failed sign-ins from your network address. Signing in from it is "
                "paused until %(time)s UTC (about %(minutes)d minutes).",
                time=format_when(result.locked_until, "short"),
                minutes=minutes,
            )
        return _page(form, 429, message)
    if organiser is None:
        return _page(form, 200, _("The email address or the password is not right."))
    end_session()  # a fresh session: nothing from before signing in carries over
    login_user(organiser)
    start_session(now)
    return redirect(safe_next(form.next.data), 303)


def _page(form: SignInForm, status: int = 200, message: str = ""):
    form.password.data = ""
    return render_template("auth/sign_in.html", form=form, message=message), status


@bp.post("/sign-out")
def sign_out():
    """Sign the organiser out, here and in every copy of the session cookie."""
    if current_user.is_authenticated:
        organiser_id = current_user.id
        with write_transaction():
            organiser = db.session.get(Organiser, organiser_id)
            if organiser is not None:
                end_all_sessions(organiser)
    end_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.sign_in"), 303)
