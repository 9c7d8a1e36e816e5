"""The organiser sign-in form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from actionapp.email.addresses import email_lookup_key
from actionapp.web.forms import AppForm


class SignInForm(AppForm):
    """Email and password."""

    # A text input: HTML allows autocomplete="username" (what password managers look for) on
    # text inputs only, not on type="email"; inputmode still brings up the email keyboard.
    email = StringField(
        _l("Email address"),
        validators=[DataRequired(_l("Please give your email address.")), Length(max=254)],
        # Looked up in the one normal form; a refused address is just an unknown account.
        filters=[email_lookup_key],
        render_kw={"inputmode": "email", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Please give your password.")), Length(max=1000)],
    )
    # No validator: a bad or over-long target must not block signing in; safe_next drops it.
    next = HiddenField()
