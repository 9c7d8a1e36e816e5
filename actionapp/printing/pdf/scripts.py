"""Writing direction of supporter text from its characters (WeasyPrint has no dir=auto)."""

from __future__ import annotations

import unicodedata

from babel import Locale, UnknownLocaleError

FSI, PDI = "\u2068", "\u2069"  # first-strong isolate and its closing mark


def text_direction(text: str) -> str | None:
    """Return "rtl" or "ltr" from the first strong character (as dir=auto does), else None."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return None


def language_direction(language: str) -> str:
    """Return the direction a language is written in ("rtl" for ar, he, fa, ur...)."""
    try:
        order = Locale.parse(language.replace("-", "_")).character_order
    except (UnknownLocaleError, ValueError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def isolate(text: str) -> str:
    """Wrap text in bidi isolates so that it keeps its own direction inside other text."""
    return f"{FSI}{text}{PDI}"
