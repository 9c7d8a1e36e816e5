"""The organiser sign-in form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from actionapp.forms import AppForm


class SignInForm(AppForm):
    """Email and password."""

    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Please give your email address.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Please give your password.")), Length(max=1000)],
    )
    # No validator: a bad or over-long target must not block signing in; safe_next drops it.
    next = HiddenField()
