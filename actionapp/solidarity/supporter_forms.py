"""The solidarity message form (its rules: services/solidarity_checks.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from actionapp.letters.forms import NAME_MAX, choices_of, printable, single_line
from actionapp.models import SignAs
from actionapp.solidarity.messages import MAX_CHARS
from actionapp.web.forms import AppForm, EmailAddress

SIGN_AS = (
    (SignAs.FIRST_NAME_COUNTRY.value, _l("My first name and my country")),
    (SignAs.FIRST_NAME.value, _l("My first name only")),
    (SignAs.ANONYMOUS.value, _l("“A friend”, without my name")),
)


class SolidarityForm(AppForm):
    """A short message of support, how it is signed, and (on its own) an optional email."""

    # The field takes the organisers' limit plus room: a longer text comes back with the
    # number, never cut off (the check in services/solidarity_checks.py says by how much).
    body = TextAreaField(_l("Your message"), validators=[Length(max=MAX_CHARS * 4), printable])
    language = SelectField(_l("Language of your message"))
    first_name = StringField(
        _l("Your first name"),
        validators=[Length(max=NAME_MAX), single_line, printable],
        description=_l("Only your first name goes on the card, never your surname."),
    )
    country = SelectField(_l("Your country"), validate_choice=False)
    sign_as = RadioField(
        _l("Sign the card with"),
        choices=choices_of(SIGN_AS),
        default=SignAs.FIRST_NAME_COUNTRY.value,
        validators=[DataRequired()],
    )
    email = StringField(
        _l("Your email address (optional)"),
        validators=[Optional(), Length(max=254), EmailAddress()],
        description=_l(
            "Never printed or shown. With it you can ask us later to see or delete your message."
        ),
    )
    client_key = HiddenField(validators=[Length(max=64)])
    started = HiddenField(validators=[Length(max=200)])
    # Honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Leave this field empty"), validators=[Length(max=200)])

    def validate_first_name(self, field) -> None:
        """Ask for a first name when the card is to be signed with one."""
        if self.sign_as.data != SignAs.ANONYMOUS.value and not (field.data or "").strip():
            raise ValidationError(_l("Please give your first name, or sign as “A friend”."))

    def validate_country(self, field) -> None:
        """Ask for the country when the card is to be signed with it."""
        if self.sign_as.data == SignAs.FIRST_NAME_COUNTRY.value and not field.data:
            raise ValidationError(
                _l("Please choose your country, or sign with your first name only.")
            )
