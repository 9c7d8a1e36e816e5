"""Quiet bot checks without third parties: a honeypot field and a minimum fill time."""

from __future__ import annotations

from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer

_SALT = "composer-started"


def start_token(secret_key: str, now: datetime) -> str:
    """Return a signed stamp of when a composer was shown."""
    return URLSafeSerializer(secret_key, salt=_SALT).dumps(now.timestamp())


def looks_like_bot(
    secret_key: str, token: str, honeypot: str, now: datetime, min_seconds: float
) -> bool:
    """Tell whether a post filled the hidden field, lost its stamp, or came too fast."""
    if honeypot:
        return True
    try:
        started = float(URLSafeSerializer(secret_key, salt=_SALT).loads(token))
    except (BadSignature, TypeError, ValueError):
        return True
    return now.timestamp() - started < min_seconds
