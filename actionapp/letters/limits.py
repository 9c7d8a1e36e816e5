"""The composer's rate limits, keyed on what identifies abuse rather than on a shared address.

A letter-writing event, a school or a mobile carrier puts dozens of supporters behind one
network address: that address gets an event's budget, previews have their own, and the tight
limits sit on the email address, the composer (its client key) and the official written to.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, request
from flask_limiter.util import get_remote_address
from limits import parse_many

from actionapp.email.addresses import email_lookup_key
from actionapp.extensions import limiter
from actionapp.letters.record import sender_key


def is_send() -> bool:
    """Tell whether this composer post sends the letter (a channel chosen), not a preview."""
    return bool(request.form.get("channel")) and request.form.get("step") != "edit"


def _is_preview() -> bool:
    return not is_send()


def _posted_email() -> str:
    # Before validation: the one rule's lookup form, so Jane@Straße.de and its IDNA2008
    # spelling count as one address.
    return email_lookup_key(request.form.get("email") or "")


def _no_email_or_preview() -> bool:
    return not (is_send() and _posted_email())


def _config(key: str):
    return lambda: current_app.config[key]


def _address_key(kind: str):
    # Its own key per kind, so that equal limit strings for sends and previews never share a
    # counter.
    return lambda: f"{kind}:{get_remote_address()}"


def _email_key() -> str:
    # A hash, never the address itself, in the limiter's storage (Redis).
    return f"email:{sender_key(_posted_email())}"


def _composer_key() -> str:
    return f"composer:{(request.form.get('client_key') or '')[:64]}"


# Each limit of a composer post: its setting, what it is counted per, and when it does not apply.
COMPOSER_LIMITS = (
    ("SUBMIT_RATE_LIMIT", _address_key("send"), _is_preview),
    ("PREVIEW_RATE_LIMIT", _address_key("preview"), is_send),
    ("SUBMIT_EMAIL_RATE_LIMIT", _email_key, _no_email_or_preview),
    ("SUBMIT_COMPOSER_RATE_LIMIT", _composer_key, _is_preview),
)


def composer_limits(view):
    """Decorate the composer view with its limits (POST only; each settable in config)."""
    for setting, key_func, exempt_when in COMPOSER_LIMITS:
        view = limiter.limit(
            _config(setting), key_func=key_func, methods=["POST"], exempt_when=exempt_when
        )(view)
    return view


def officials_within_budget(target_ids: Iterable[int]) -> bool:
    """Count one letter to each official; False when one of them is over its budget."""
    if not limiter.enabled:
        return True
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    limits = parse_many(current_app.config["SUBMIT_OFFICIAL_RATE_LIMIT"])
    return all(
        limiter.limiter.hit(limit, *filter(None, [prefix, "official", str(target_id)]))
        for target_id in sorted(set(target_ids))
        for limit in limits
    )


def _solidarity_form_key() -> str:
    return f"solidarity-form:{(request.form.get('client_key') or '')[:64]}"


def solidarity_limits(view):
    """Decorate the solidarity message view: an event's budget per address, and per form."""
    decorators = [
        limiter.limit(
            _config("SOLIDARITY_RATE_LIMIT"), key_func=_address_key("solidarity"), methods=["POST"]
        ),
        limiter.limit(
            _config("SUBMIT_COMPOSER_RATE_LIMIT"), key_func=_solidarity_form_key, methods=["POST"]
        ),
    ]
    for decorate in decorators:
        view = decorate(view)
    return view


def check_limits(view):
    """Decorate the live check of a message: the previews' budget per address."""
    return limiter.limit(
        _config("PREVIEW_RATE_LIMIT"), key_func=_address_key("preview"), methods=["POST"]
    )(view)
