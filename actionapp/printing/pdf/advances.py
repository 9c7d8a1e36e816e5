"""Bounds on how many lines a text wraps to, from the glyph widths in the font's own tables.

fitting.py asks these bounds before it lays a block out with WeasyPrint: when even the most
lines the text can take fit the zone, or even the fewest do not, the layout would only say
so more slowly (40 ms a block). Between the two bounds, the layout decides.

Why the bounds hold: WeasyPrint (Pango) breaks lines first-fit. A first-fit breaker given
fewer break opportunities and wider glyphs ends every line no later than the real one, so it
needs at least as many lines (the upper bound: breaks only after a space that precedes a
letter or digit, each glyph a little wider than its advance). Given every break opportunity
and narrower glyphs, with spaces taking nothing, it needs no more (the lower bound).
tests/test_services_pdf_fitting.py checks both against real layouts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from fontTools.ttLib import TTFont

from actionapp.printing.pdf.fonts import font_file

MM_PER_PT = 25.4 / 72
# Kerning and shaping move glyphs by a little; the bounds keep this share in hand.
MARGIN = 0.03
# Bidi isolates (scripts.isolate) and joiners draw nothing and take no width.
_ZERO_WIDTH = frozenset("\u2066\u2067\u2068\u2069\u200b\u200c\u200d")


@dataclass(frozen=True)
class Advances:
    """A font's advance widths in em, per character it maps: least and most it may take.

    In a CJK face, shaping may set punctuation in its full-width form (features such as
    locl), so a punctuation mark takes from nothing to one em there.
    """

    family: str
    least: dict[str, float]
    most: dict[str, float]


@lru_cache(maxsize=8)
def font_advances(family: str) -> Advances | None:
    """Return the regular face's advances for a family as fontconfig finds it, or None.

    None when fontconfig does not know the family by exactly that name (another font would
    stand in, with other widths) or its file cannot be read.
    """
    found = font_file(family)
    if found is None:
        return None
    path, index = found
    try:
        font = TTFont(path, fontNumber=index, lazy=True)
        units = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        widths = {chr(code): metrics[name][0] / units for code, name in font.getBestCmap().items()}
        font.close()
    except (OSError, KeyError, ValueError):
        return None
    if "CJK" not in family:
        return Advances(family, widths, widths)
    varies = {char for char in widths if not char.isalnum() and not char.isspace()}
    least = {char: 0.0 if char in varies else width for char, width in widths.items()}
    most = {char: max(width, 1.0) if char in varies else width for char, width in widths.items()}
    return Advances(family, least, most)


def line_bounds(
    paragraphs: list[str], advances: Advances, size_pt: float, width_mm: float
) -> tuple[int, float] | None:
    """Return (fewest, most) lines the paragraphs wrap to in a box `width_mm` wide.

    Most is math.inf when a word is wider than the line. None when a character is not in
    the font (another font would draw it, at another width and height).
    """
    em_mm = size_pt * MM_PER_PT
    fewest, most = 0, 0.0
    for text in paragraphs:
        if any(char not in advances.most and char not in _ZERO_WIDTH for char in text):
            return None
        fewest += _fewest(text, [advances.least.get(c, 0.0) * em_mm for c in text], width_mm)
        most += _most(text, [advances.most.get(c, 0.0) * em_mm for c in text], width_mm)
    return fewest, most


def _fewest(text: str, widths: list[float], width_mm: float) -> int:
    """Lines when a break may fall anywhere, glyphs are narrower and spaces take nothing."""
    lines, used = 1, 0.0
    for char, width in zip(text, widths, strict=True):
        width = 0.0 if char == " " else width * (1 - MARGIN)
        if used + width > width_mm and used > 0:
            lines, used = lines + 1, 0.0
        used += width
    return lines


def _most(text: str, widths: list[float], width_mm: float) -> float:
    """Lines when breaks fall only after a space before a letter or digit, glyphs wider.

    math.inf when a word is wider than the line (WeasyPrint would break inside it): the
    bound then promises nothing.
    """
    words: list[float] = []  # each word's width, with the spaces before it
    current = 0.0
    for n, (char, width) in enumerate(zip(text, widths, strict=True)):
        if n and text[n - 1] == " " and char != " " and _opens_word(text, n):
            words.append(current)
            current = 0.0
        current += width * (1 + MARGIN)
    words.append(current)
    lines, used = 1, 0.0
    for word in words:
        if word > width_mm:
            return math.inf
        if used + word > width_mm and used > 0:
            lines, used = lines + 1, 0.0
        used += word
    return lines


def _opens_word(text: str, n: int) -> bool:
    """Tell whether a line may break before position n: a letter or digit after the spaces.

    Bidi isolates count as part of what follows them (a combining class, UAX #14 LB9-10).
    """
    while n < len(text) and text[n] in _ZERO_WIDTH:
        n += 1
    return n < len(text) and text[n].isalnum()
