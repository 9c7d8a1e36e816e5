"""The base of every form: Flask-WTF's CSRF protection, with WTForms' own messages translated."""

from __future__ import annotations

from functools import lru_cache

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.i18n import messages_path
from wtforms.validators import StopValidation

from actionapp.email.addresses import EmailAddressError, address_message, normalise_email


@lru_cache(maxsize=8)
def _wtforms_catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _Translations:
    """WTForms' built-in messages (such as length limits) in the interface language.

    Flask-WTF reads the catalogue file again on every request; each process keeps it instead.
    """

    def gettext(self, string: str) -> str:
        """Translate one message."""
        return _wtforms_catalogue(str(get_locale())).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate one message with a number in it."""
        return _wtforms_catalogue(str(get_locale())).ungettext(singular, plural, n)


_TRANSLATIONS = _Translations()


def one_kind_of_newline(value: str | None) -> str | None:
    """Turn CRLF and CR into LF: browsers count a line break as one character but send two."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class AppForm(FlaskForm):
    """A Flask-WTF form whose built-in messages come from a per-process catalogue."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            """Give every text area one kind of line break before its length is checked."""
            if issubclass(unbound_field.field_class, TextAreaField):
                filters = (*unbound_field.kwargs.get("filters", ()), one_kind_of_newline)
                return unbound_field.bind(form=form, filters=filters, **options)
            return super().bind_field(form, unbound_field, options)

        def get_translations(self, form):
            """Return the cached WTForms catalogue for the interface language."""
            return _TRANSLATIONS


class AddressField(StringField):
    """An email field whose data is the normal form (EmailAddress) but shows what was typed.

    A page that comes back after an error must show the supporter's own words, not the
    IDNA2008 form of their domain (jonas@groß.example, not jonas@xn--gro-7ka.example).
    It is a text input with the email keyboard, not `type="email"`: Chromium converts what is
    typed there to IDNA2003 before sending it (groß.example becomes gross.example, someone
    else's domain), so the one normalisation (services.email_address) never sees it.
    """

    def __init__(self, *args, render_kw: dict | None = None, **kwargs) -> None:
        super().__init__(*args, render_kw={"inputmode": "email", **(render_kw or {})}, **kwargs)

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else super()._value()


class EmailAddress:
    """Validate an email field and replace its value with the one normal form (or refuse it).

    Every form that takes an address uses this, so the address stored and sent to is always
    `services.email_address.normalise_email`'s: IDNA2008 domain, lower-case, no SMTPUTF8.
    """

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form, field) -> None:
        """Normalise field.data; stop with a clear message when the address is refused."""
        if not (field.data or "").strip():
            return
        try:
            field.data = normalise_email(field.data)
        except EmailAddressError as error:
            raise StopValidation(self.message or address_message(error.problem)) from error
