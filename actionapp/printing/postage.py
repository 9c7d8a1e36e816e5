"""Postage: the one rule for whether a printed letter goes abroad (airmail, international)."""

from __future__ import annotations


def goes_abroad(target_country: str | None, sender_country: str | None) -> bool:
    """Tell whether a letter to this country, posted in the sender's, needs international postage.

    A target without a country is written to within the supporter's country.
    """
    return bool(target_country) and target_country != sender_country
