"""The base of every form: Flask-WTF's CSRF protection, with WTForms' own messages translated."""

from __future__ import annotations

from functools import lru_cache

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


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


class AppForm(FlaskForm):
    """A Flask-WTF form whose built-in messages come from a per-process catalogue."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            """Return the cached WTForms catalogue for the interface language."""
            return _TRANSLATIONS
