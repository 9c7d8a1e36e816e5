"""Short codes for the "I posted it" page, printed on the guide page with a QR code.

A code is the submission's id and an HMAC tag of 8 Crockford base32 characters (40 bits) over
the id and the submission's public token. Nothing new is stored: the code is checked by
recomputing the tag. With the route's rate limit (config POSTED_CODE_RATE_LIMIT), guessing a
valid tag takes about 2^39 tries, so the 43-character token stays the only secret while a
phone reaches the page by scanning or by typing about a dozen characters.
"""

from __future__ import annotations

import hashlib
import hmac

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O or U
TAG_CHARS = 8
# What people mistype when they copy a code from paper (Crockford's decoding rules).
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _base32(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 32)
        digits = ALPHABET[rest] + digits
        if not number:
            return digits


def _tag(secret: str, submission_id: int, public_token: str) -> str:
    mac = hmac.new(
        secret.encode(), f"posted-code:{submission_id}:{public_token}".encode(), hashlib.sha256
    ).digest()
    return _base32(int.from_bytes(mac[:5], "big")).rjust(TAG_CHARS, "0")[-TAG_CHARS:]


def posted_code(secret: str, submission_id: int, public_token: str) -> str:
    """Return a submission's short code, grouped in fours with hyphens (e.g. 3-K7QF-9X2M)."""
    raw = _base32(submission_id) + _tag(secret, submission_id, public_token)
    groups = []
    while raw:
        groups.insert(0, raw[-4:])
        raw = raw[:-4]
    return "-".join(groups)


def read_posted_code(code: str) -> tuple[int, str] | None:
    """Return (submission id, tag) from a typed or scanned code, or None when malformed."""
    cleaned = "".join(code.split()).replace("-", "").upper().translate(_READ_AS)
    if not TAG_CHARS < len(cleaned) <= TAG_CHARS + 7 or any(c not in ALPHABET for c in cleaned):
        return None
    number = 0
    for char in cleaned[:-TAG_CHARS]:
        number = number * 32 + ALPHABET.index(char)
    return number, cleaned[-TAG_CHARS:]


def code_matches(secret: str, submission_id: int, public_token: str, tag: str) -> bool:
    """Tell whether a tag belongs to this submission (compared in constant time)."""
    return hmac.compare_digest(_tag(secret, submission_id, public_token), tag)
