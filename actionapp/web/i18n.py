"""Interface language, and locale-aware formatting of dates, numbers, countries and languages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import lru_cache

import pycountry
from babel import Locale, UnknownLocaleError, localedata, negotiate_locale
from babel.core import get_global
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.dates import get_datetime_format
from flask import Flask, current_app, has_request_context, request
from flask_babel import format_datetime, format_decimal, get_locale
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

LANGUAGE_COOKIE = "lang"
# The shape of a language code: a language and at most one script or region (pt-BR, zh-Hans).
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")


def select_locale() -> str:
    """Pick the interface language: the visitor's choice (a cookie), else Accept-Language.

    Outside a request (the CLI, the outbox worker) messages are in the default language.
    """
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return negotiate_language(
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("Accept-Language", ""),
        tuple(current_app.config["LANGUAGES"]),
    )


@lru_cache(maxsize=512)
def negotiate_language(chosen: str | None, accept_language: str, languages: tuple[str, ...]) -> str:
    """Return the language cookie's choice if offered, else the best match for Accept-Language.

    Pure, so that the page cache in front of Flask picks exactly the language Flask-Babel does.
    The visitor's order wins: each preference in turn, exactly or by its first subtag, so that
    zh-Hant-TW before en picks zh. Any Chinese (zh-TW, zh_CN, zh-Hans...) gets our only Chinese.
    """
    if chosen in languages:
        return chosen
    accepted = parse_accept_header(accept_language[:500], LanguageAccept)
    # Browsers and proxies send zh_CN as well as zh-CN; q=0 means "not this one".
    preferred = [value.replace("-", "_") for value, quality in accepted if quality > 0]
    found = negotiate_locale(preferred, languages, sep="_", aliases=None)
    by_lower = {code.lower(): code for code in languages}
    return by_lower.get((found or "").lower(), languages[0])


def requested_language() -> str:
    """Return the language a request asks for: ?lang= if offered, else as for pages.

    For the JSON API and exports: the same negotiation as pages (select_locale), with the
    query parameter taking the place of the language cookie when it names a language we offer.
    """
    languages = tuple(current_app.config["LANGUAGES"])
    asked = request.args.get("lang")
    return negotiate_language(
        asked if asked in languages else request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("Accept-Language", ""),
        languages,
    )


def interface_language() -> str:
    """Return the current interface language code."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


@lru_cache(maxsize=16)
def _babel_locale(code: str) -> Locale:
    return Locale.parse(code.replace("-", "_"))


@lru_cache(maxsize=64)
def letter_date(day: date, language: str) -> str:
    """Format a letter's date the way the letter's language writes it."""
    return babel_format_date(day, format="long", locale=_babel_locale(language))


@lru_cache(maxsize=256)
def localised_date(day: date, language: str, country: str) -> str:
    """Write a letter's date in its language the way the supporter's country does (en_GB).

    The one rule for dates in letters: every channel shows the date recorded from this.
    """
    # A country without its own variant of the language writes it the international way
    # (en_001: "30 November 2026" in Brazil), not the language's default (en: the US way).
    for code in (f"{language}_{country}" if country else "", f"{language}_001" if country else ""):
        if code and localedata.exists(code):
            return letter_date(day, code)
    return letter_date(day, language)


def language_name(code: str, in_language: str | None = None) -> str:
    """Return a language's name, written in the given (or the interface) language."""
    locale = _babel_locale(in_language or interface_language())
    return locale.languages.get(code) or code


def native_language_name(code: str) -> str:
    """Return a language's name in that language, such as 中文 for zh."""
    return _babel_locale(code).get_display_name(_babel_locale(code)) or code


@lru_cache(maxsize=1024)
def is_language(code: str) -> bool:
    """Tell whether a code names a real language letters can be written in (en, zh, pt-BR).

    Real means the locale data knows it (CLDR, through Babel): letters are dated with it, so
    a code such as xx, or en-XX, would fail later. The interface languages are only two of them.
    """
    if not LANGUAGE_CODE.match(code) or code.partition("-")[0] == "und":
        return False  # "und" is ISO 639's "undetermined", which Babel reads as en_US
    try:
        _babel_locale(code)
    except (ValueError, UnknownLocaleError):
        return False
    return True


def language_label(code: str, in_language: str | None = None) -> str:
    """Name a language for a choice: its own name, then in the reader's, as 中文 (Chinese)."""
    native, translated = native_language_name(code), language_name(code, in_language)
    return native if native == translated else f"{native} ({translated})"


@lru_cache(maxsize=4096)
def _country_codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


def is_country(code: str) -> bool:
    """Tell whether a code is an ISO 3166-1 alpha-2 country."""
    return code in _country_codes()


def country_name(code: str, in_language: str | None = None) -> str:
    """Return a country's name in the given (or the interface) language."""
    locale = _babel_locale(in_language or interface_language())
    name = locale.territories.get(code)
    if name:
        return name
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


@lru_cache(maxsize=8)
def country_choices(in_language: str) -> list[tuple[str, str]]:
    """Return (code, name) for every country, sorted by name in the given language."""
    return sorted(
        ((code, country_name(code, in_language)) for code in _country_codes()),
        key=lambda item: item[1],
    )


def country_from_accept_language() -> str:
    """Guess the visitor's country from Accept-Language (en-GB -> GB, de -> DE), or ''."""
    likely = get_global("likely_subtags")
    for value, _quality in request.accept_languages:
        tag = value.replace("-", "_")
        parts = tag.split("_")
        for part in parts[1:]:
            if len(part) == 2 and is_country(part.upper()):
                return part.upper()
        guess = likely.get(parts[0].lower())
        if guess:
            territory = guess.split("_")[-1]
            if is_country(territory):
                return territory
    return ""


def format_number(value: int | float) -> str:
    """Format a number for the interface language."""
    return format_decimal(value)


def format_when(value: datetime, fmt: str = "medium") -> str:
    """Format a stored (naive UTC) timestamp for the interface language."""
    return format_datetime(value, fmt)


def html_lang(code: str) -> str:
    """Return the HTML lang value for a language code (zh -> zh-CN, so fonts are Chinese)."""
    return "zh-CN" if code == "zh" else code


@lru_cache(maxsize=256)
def deadline_text(value: datetime, language: str) -> str:
    """Format a deadline (naive UTC) as a long date and a time in UTC, in a language.

    "November 30, 2026, 11:59 PM UTC"; "2026年11月30日 23:59 UTC". Babel joins the date and
    the time the way the language does; the zone is always said, since visitors are everywhere.
    """
    locale = _babel_locale(language)
    moment = value.replace(tzinfo=UTC)
    joined = (
        get_datetime_format("long", locale=locale)
        .replace("'", "")
        .replace("{0}", babel_format_time(moment, "short", tzinfo=UTC, locale=locale))
        .replace("{1}", babel_format_date(value.date(), "long", locale=locale))
    )
    return f"{joined} UTC"


def format_deadline(value: datetime) -> str:
    """Format a deadline for the interface language (see deadline_text)."""
    return deadline_text(value, interface_language())


def register_template_helpers(app: Flask) -> None:
    """Expose the formatting helpers to templates.

    Only presentation: how a value in hand is written in the interface language, and which
    languages the switcher offers. Whatever a page shows from the database or a rule (an
    action's texts in this language, links, forms) its view reads and passes in.
    """
    from flask_babel import format_date

    from actionapp.campaigns.markdown import render_markdown
    from actionapp.campaigns.outcomes import status_label
    from actionapp.web.redirects import current_page

    app.jinja_env.filters.update(
        number=format_number,
        when=format_when,
        deadline=format_deadline,
        day=format_date,
        country=country_name,
        language=language_name,
        markdown=render_markdown,
        html_lang=html_lang,
        status_label=status_label,
    )
    app.jinja_env.globals.update(
        interface_language=interface_language,
        native_language_name=native_language_name,
        languages=lambda: app.config["LANGUAGES"],
        current_page=current_page,
    )
