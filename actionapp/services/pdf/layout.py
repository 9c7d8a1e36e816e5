"""What goes on a printed letter: plain values for the letter templates."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field

from actionapp.i18n import country_name
from actionapp.models import Target
from actionapp.services.pdf.fonts import has_cjk
from actionapp.services.pdf.paper import Rect

PT = 25.4 / 72  # millimetres per point
# Font sizes the address block may shrink to, largest first (postal OCR reads 8 pt and up).
ADDRESS_SIZES = (10.0, 9.5, 9.0, 8.5, 8.0)
ADDRESS_LEADING = 1.18
# Glyphs reach a little beyond their line boxes; keep this much (mm) in hand.
ADDRESS_SLACK = 1.0
# A blank line to write on by hand (event packs).
BLANK = "_" * 16


def html_lang(language: str) -> str:
    """Return the HTML lang value for a letter language (zh-CN picks the Chinese glyphs)."""
    return "zh-CN" if language == "zh" else language


def text_lang(text: str, language: str) -> str:
    """Return the lang a piece of text needs: Chinese when it holds CJK characters."""
    return "zh-CN" if has_cjk(text) else html_lang(language)


def _width_em(text: str) -> float:
    # Wide (CJK) characters take a full em, Latin letters about half of one.
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


@dataclass(frozen=True)
class AddressFit:
    """The type size that makes an address block fit its space."""

    size_pt: float
    leading_pt: float
    lines: int
    fits: bool


def fit_address(lines: list[str], box: Rect) -> AddressFit:
    """Pick the largest type size at which the lines, wrapped, fit the box."""
    fit = AddressFit(ADDRESS_SIZES[-1], ADDRESS_SIZES[-1] * ADDRESS_LEADING, 0, False)
    for size in ADDRESS_SIZES:
        width_em = box.width / (size * PT)
        count = sum(max(1, math.ceil(_width_em(line) / width_em)) for line in lines)
        leading = size * ADDRESS_LEADING
        fit = AddressFit(size, leading, count, count * leading * PT + ADDRESS_SLACK <= box.height)
        if fit.fits:
            return fit
    return fit


def recipient_lines(target: Target) -> list[str]:
    """Return the recipient block: name, organisation, then the postal address."""
    lines = [target.name]
    if target.organisation and target.organisation != target.name:
        lines.append(target.organisation)
    return [*lines, *target.address]


def return_lines(name: str, street_address: str, city: str, country: str, language: str):
    """Return the sender's address lines, or [] when they gave no street address."""
    street = [line.strip() for line in street_address.splitlines() if line.strip()]
    if not street:
        return []
    place = [city] if city and city not in street[-1] else []
    return [name, *street, *place, country_name(country, language) if country else ""]


def paragraphs(text: str) -> list[str]:
    """Split a text at blank lines; single line breaks stay inside a paragraph."""
    parts = [part.strip("\n") for part in text.replace("\r\n", "\n").split("\n\n")]
    return [part for part in parts if part.strip()]


@dataclass(frozen=True)
class PrintedLetter:
    """One letter as it is printed, every string plain text."""

    anchor: str
    lang: str
    recipient: list[str]
    recipient_lang: str
    recipient_fit: AddressFit
    sender: list[str]
    date_text: str
    subject: str
    salutation: str
    body: list[str]
    personal: list[str]
    personal_lang: str
    closing: str
    signature_name: str
    signature_place: str
    running_head: str
    page_label: tuple[str, str]
    # Chinese letters put the date under the signature, as Chinese letters do.
    date_at_end: bool = False
    # Event packs: lines to write on instead of the supporter's words and details.
    blank_lines: int = 0
    blank_sender: bool = False
    needs_cjk: bool = False
    extra: dict = field(default_factory=dict)
