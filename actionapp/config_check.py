"""One check of every setting at start-up: impossible values stop the app with a clear error."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENV_PREFIX = "ACTIONAPP_"
# Addresses that may carry a password: the error names the key, never the value.
HIDDEN_VALUES = frozenset({"SQLALCHEMY_DATABASE_URI", "RATELIMIT_STORAGE_URI"})


class ConfigError(RuntimeError):
    """A setting is missing or impossible; the message names each key and what it must be."""


def _integer(low: int | None = None, high: int | None = None) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be a whole number"
        if low is not None and value < low:
            return f"must be at least {low}"
        if high is not None and value > high:
            return f"must be at most {high}"
        return None

    return check


def _number(low: float = 0, above: bool = False) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            return "must be a number"
        if value < low or (above and value == low):
            return f"must be {'more than' if above else 'at least'} {low:g}"
        return None

    return check


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _one_of(*choices: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if value in choices:
            return None
        return "must be one of " + ", ".join(repr(c) for c in choices)

    return check


def _rate_limit(value: Any) -> str | None:
    from limits import parse_many

    try:
        if isinstance(value, str) and parse_many(value):
            return None
    except ValueError:
        pass
    return 'must be a rate such as "20 per minute" or "5/hour"'


def _web_url(value: Any, required: bool) -> str | None:
    if not value:
        return (
            "is required: the https:// address supporters reach the site at" if required else None
        )
    if not isinstance(value, str):
        return "must be an address such as https://act.example.org"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an address such as https://act.example.org"
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return "has an impossible port"
    if parts.query or parts.fragment or parts.username:
        return "must be a plain address, without a query, a fragment or a user name"
    return None


def _database_uri(value: Any) -> str | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        make_url(value).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError, TypeError, AttributeError):
        return "must be a database address such as postgresql+psycopg://user@host/db"
    return None


def _storage_uri(value: Any) -> str | None:
    from limits.errors import ConfigurationError
    from limits.storage import SCHEMES, storage_from_string

    scheme = value.partition("://")[0] if isinstance(value, str) and "://" in value else ""
    if scheme not in SCHEMES:
        return 'must be a storage address such as "memory://" or "redis://127.0.0.1:6379"'
    if scheme != "memory":
        try:
            # Builds the client only (no connection): fails when its library is missing.
            storage_from_string(value)
        except ConfigurationError as error:
            return f"cannot be used: {error}"
    return None


def _languages(value: Any) -> str | None:
    from babel import Locale, UnknownLocaleError

    if isinstance(value, str) or not value or not all(isinstance(v, str) for v in value):
        return 'must be a list of language codes such as ["en", "zh"]'
    for code in value:
        try:
            Locale.parse(code)
        except (ValueError, UnknownLocaleError):
            return f"holds {code!r}, which is not a language code"
    return None


# Each key with what it must be. Keys ending in _RATE_LIMIT are checked as rates as well.
RULES: dict[str, Callable[[Any], str | None]] = {
    "SQLALCHEMY_DATABASE_URI": _database_uri,
    "SQLITE_BUSY_TIMEOUT_MS": _integer(0),
    "POSTGRES_LOCK_TIMEOUT_MS": _integer(0),
    "PUBLIC_URL": lambda v: _web_url(v, required=True),
    "MAX_CONTENT_LENGTH": _integer(1024),
    "MAX_FORM_MEMORY_SIZE": _integer(1024),
    "SESSION_COOKIE_SECURE": _boolean,
    "SESSION_COOKIE_SAMESITE": _one_of("Lax", "Strict"),
    "LANGUAGES": _languages,
    "MIN_FILL_SECONDS": _number(0),
    "RATELIMIT_STORAGE_URI": _storage_uri,
    "RATELIMIT_ENABLED": _boolean,
    "PROXY_COUNT": _integer(0, 10),
    "ORGANISER_SESSION_HOURS": _number(0, above=True),
    "ORGANISER_IDLE_MINUTES": _number(0, above=True),
    "PASSWORD_MIN_LENGTH": _integer(8),
    "SIGNIN_ACCOUNT_MAX_FAILURES": _integer(1),
    "SIGNIN_ADDRESS_MAX_FAILURES": _integer(1),
    "SIGNIN_WINDOW_MINUTES": _number(0, above=True),
    "SIGNIN_LOCKOUT_MINUTES": _number(0, above=True),
    "UPLOAD_MAX_BYTES": _integer(1),
    "IMAGE_MAX_PIXELS": _integer(1),
    "IMAGE_MAX_WIDTH": _integer(1),
    "MAIL_BACKEND": _one_of("", "smtp", "file"),
    "SMTP_PORT": _integer(0, 65535),
    "SMTP_SECURITY": _one_of("none", "starttls", "tls"),
    "SMTP_TIMEOUT": _number(0, above=True),
    "CONFIRM_DAYS": _integer(1),
    "OUTBOX_BATCH_SIZE": _integer(1),
    "OUTBOX_LEASE_SECONDS": _integer(1),
    "OUTBOX_RETRY_DAYS": _number(0, above=True),
    "OUTBOX_RETRY_SECONDS": _integer(1),
    "OUTBOX_RETRY_MAX_SECONDS": _integer(1),
    "OUTBOX_POLL_SECONDS": _number(0, above=True),
    "OUTBOX_RECORD_EVERY": _integer(1),
    "PDF_RENDER_TIMEOUT": _number(0, above=True),
    "PDF_CACHE_MB": _number(0),
    "PDF_CACHE_SECONDS": _number(0),
    "PDF_RENDER_PROCESSES": _integer(0, 64),
    "PDF_PACK_PROCESSES": _integer(1, 64),
}


def _relations(config: Mapping) -> list[tuple[str, str]]:
    """Return (key, problem) for settings that are fine alone but impossible together."""
    from actionapp.email.worker import LEASE_MARGIN

    problems = []
    margin = int(LEASE_MARGIN.total_seconds())
    if config["OUTBOX_LEASE_SECONDS"] <= margin:
        # The worker stops sending once a lease is this close to running out: a shorter lease
        # would have it take messages and give them back forever, at full CPU.
        problems.append(
            ("OUTBOX_LEASE_SECONDS", f"must be more than the worker's margin of {margin} seconds")
        )
    if config["OUTBOX_RETRY_MAX_SECONDS"] < config["OUTBOX_RETRY_SECONDS"]:
        problems.append(("OUTBOX_RETRY_MAX_SECONDS", "must be at least OUTBOX_RETRY_SECONDS"))
    lifetime = config["PERMANENT_SESSION_LIFETIME"]
    lifetime = lifetime if isinstance(lifetime, timedelta) else timedelta(seconds=lifetime)
    csrf_limit = config.get("WTF_CSRF_TIME_LIMIT")
    if csrf_limit and lifetime.total_seconds() < csrf_limit:
        problems.append(
            ("PERMANENT_SESSION_LIFETIME", "must outlast WTF_CSRF_TIME_LIMIT (open composers)")
        )
    if config["BABEL_DEFAULT_LOCALE"] not in config["LANGUAGES"]:
        problems.append(("LANGUAGES", f"must include {config['BABEL_DEFAULT_LOCALE']!r}"))
    if str(config.get("SESSION_COOKIE_NAME", "")).startswith("__Host-") and config.get(
        "SESSION_COOKIE_DOMAIN"
    ):
        # Browsers drop a __Host- cookie that names a domain: no one could sign in.
        problems.append(
            (
                "SESSION_COOKIE_DOMAIN",
                "must be empty: a __Host- cookie must be Secure, with no domain",
            )
        )
    if config["SESSION_COOKIE_SECURE"] is False and config["ENV"] == "production":
        problems.append(("SESSION_COOKIE_SECURE", "must be true in production"))
    key_path = config.get("DKIM_PRIVATE_KEY_PATH")
    if key_path and not Path(key_path).is_file():
        problems.append(("DKIM_PRIVATE_KEY_PATH", f"names no readable file ({key_path})"))
    return problems


def check_config(config: Mapping) -> None:
    """Raise ConfigError naming every setting that is missing, of the wrong type or impossible."""
    problems = []
    for key, rule in RULES.items():
        if key in config and (problem := rule(config[key])):
            problems.append((key, problem))
    for key in sorted(k for k in config if k.endswith("_RATE_LIMIT")):
        if problem := _rate_limit(config[key]):
            problems.append((key, problem))
    if not problems:
        problems = _relations(config)
    if problems:
        lines = [
            f"  {ENV_PREFIX}{key} {problem}"
            + ("" if key in HIDDEN_VALUES else f" (it is {config.get(key)!r})")
            for key, problem in problems
        ]
        raise ConfigError("actionapp cannot start with these settings:\n" + "\n".join(lines))
