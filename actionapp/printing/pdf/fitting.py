"""Address blocks measured as WeasyPrint lays them out: the one rule for what fits a window.

The same markup and CSS go into the measurement and into the printed letter, so a block the
forms accept is the block the PDF prints.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup
from weasyprint import CSS, HTML
from weasyprint.formatting_structure.boxes import LineBox
from weasyprint.text.fonts import FontConfiguration

from actionapp import resource_dir
from actionapp.printing.pdf.advances import font_advances, line_bounds
from actionapp.printing.pdf.fonts import CJK_FAMILY, font_family_installed
from actionapp.printing.pdf.paper import PaperLayout, Rect
from actionapp.printing.pdf.scripts import isolate, text_direction

PX = 25.4 / 96  # millimetres per CSS pixel
MM_PER_PT = 25.4 / 72
LEADING = 1.18
# The smallest type a return address may shrink to and stay readable.
SENDER_MIN_PT = 6.0
# Postal OCR reads recipient addresses from 8 pt up.
RECIPIENT_SIZES = (10.0, 9.5, 9.0, 8.5, 8.0)
SENDER_SIZES = {
    "a4": (8.0, 7.5, 7.0, 6.5, SENDER_MIN_PT),
    "letter": (9.0, 8.5, 8.0, 7.5, 7.0, 6.5, SENDER_MIN_PT),
}
# Glyphs reach a little beyond their line boxes; keep this much (mm) in hand.
SLACK = 0.8
SEPARATOR = " · "
ALL_SIZES = sorted({*RECIPIENT_SIZES, *(s for sizes in SENDER_SIZES.values() for s in sizes)})
# In the checkout or inside the installed package, wherever the app serves static files from.
ASSETS = resource_dir("static") / "print"


@dataclass(frozen=True)
class BlockFit:
    """How an address block is set in its zone: type size, one line each or joined, lines."""

    size_pt: float
    joined: bool
    lines: int  # lines the block takes, wrapped, at this size
    max_lines: int  # lines of this size the zone holds
    fits: bool
    zone_width: float  # mm
    zone_height: float  # mm

    @property
    def css_class(self) -> str:
        """Return the classes that set this size (and joining) in letter CSS."""
        return f"size-{round(self.size_pt * 10)}" + (" joined" if self.joined else "")


def fit_css() -> str:
    """Return the CSS of address blocks: sizes, line heights, wrapping, joined lines."""
    sizes = "\n".join(
        f".size-{round(s * 10)} {{ font-size: {s}pt; line-height: {s * LEADING:.3f}pt; }}"
        for s in ALL_SIZES
    )
    return f"""
.address-block {{ overflow-wrap: anywhere; }}
.address-block .line {{ display: block; }}
.address-block.joined .line {{ display: inline; }}
.address-block.joined .line + .line::before {{ content: "{SEPARATOR}"; }}
{sizes}
"""


def address_markup(lines: list[str], fit: BlockFit, lang: str, extra_class: str = "") -> Markup:
    """Return an address block's HTML: each line keeps its own direction, even when joined."""
    direction = text_direction(" ".join(lines)) or "ltr"
    # Isolated, each line keeps its own direction (also beside the joined lines' separators),
    # while the block's direction aligns them all to one side.
    spans = [Markup('<span class="line">{}</span>').format(isolate(line)) for line in lines]
    lang_attr = Markup(' lang="{}"').format(lang) if lang else Markup("")
    return Markup('<div class="address-block {} {}"{} dir="{}">{}</div>').format(
        extra_class, fit.css_class, lang_attr, direction, Markup("").join(spans)
    )


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _measuring() -> tuple[FontConfiguration, list[CSS]]:
    fonts = FontConfiguration()
    sheets = [
        CSS(string=(ASSETS / "letter.css").read_text(), font_config=fonts),
        CSS(
            string=fit_css() + "@page { size: 400mm 3000mm; margin: 0; } "
            ".measure { margin: 0 0 5mm; }",
            font_config=fonts,
        ),
    ]
    return fonts, sheets


def _boxes(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


# Blocks already laid out in this process: (width mm, block HTML) -> (lines, height mm).
_known: dict[tuple[float, str], tuple[int, float]] = {}
KNOWN_MAX = 4096


def _measure(blocks: tuple[tuple[float, str], ...]) -> tuple[tuple[int, float], ...]:
    """Return each (width mm, block HTML) pair's (lines, height mm) as WeasyPrint lays it out.

    Each block is laid out once per process; the new ones together, in one document.
    """
    known = {block: _known[block] for block in blocks if block in _known}
    missing = tuple(block for block in dict.fromkeys(blocks) if block not in known)
    if missing:
        known.update(zip(missing, _lay_out(missing), strict=True))
        with _lock:
            if len(_known) + len(missing) > KNOWN_MAX:
                _known.clear()
            _known.update(known)
    return tuple(known[block] for block in blocks)


def _lay_out(blocks: tuple[tuple[float, str], ...]) -> tuple[tuple[int, float], ...]:
    body = "".join(
        f'<div class="measure" id="m{n}" data-w="{width}">{html}</div>'
        for n, (width, html) in enumerate(blocks)
    )
    widths = "".join(f"#m{n} {{ width: {w:.3f}mm; }}" for n, (w, _) in enumerate(blocks))
    fonts, sheets = _measuring()
    with _lock:
        document = HTML(string=f"<html><body>{body}</body></html>").render(
            stylesheets=[*sheets, CSS(string=widths, font_config=fonts)], font_config=fonts
        )
    found: dict[str, tuple[int, float]] = {}
    for page in document.pages:
        for box in _boxes(page._page_box):
            element = getattr(box, "element", None)
            ident = element.get("id") if element is not None else None
            if ident and ident.startswith("m") and ident not in found:
                lines = sum(1 for b in _boxes(box) if isinstance(b, LineBox))
                found[ident] = (lines, box.height * PX)
    return tuple(found[f"m{n}"] for n in range(len(blocks)))


def fit_block(lines: list[str], zone: Rect, sizes, lang: str, joinable: bool) -> BlockFit:
    """Pick the best fit (see _fit_block); remembered, as each download asks again."""
    return _fit_block(tuple(lines), zone, tuple(sizes), lang, joinable)


@lru_cache(maxsize=4096)
def _fit_block(lines: tuple[str, ...], zone: Rect, sizes, lang: str, joinable: bool) -> BlockFit:
    """Pick the largest size (one line each, then joined) whose wrapped block fits the zone.

    When none fits, return the smallest one-line-each setting with fits=False: its line count
    and the lines the zone holds are what the refusal message gives.
    """
    for size, joined, known in _trials(lines, zone, sizes, lang, joinable):
        if known is None:
            fit = _measured(lines, zone, size, joined, lang)
            if fit.fits:
                return fit
        elif known:
            # What the layout would say, known without it (see known_fit).
            return BlockFit(size, joined, known, _max_lines(zone, size), True, zone.width,
                            zone.height)  # fmt: skip
    return _measured(lines, zone, sizes[-1], False, lang)


def _trials(lines: tuple[str, ...], zone: Rect, sizes, lang: str, joinable: bool):
    """Yield the settings to try, in order: (size, joined, known_fit's answer)."""
    for joined in (False, True) if joinable else (False,):
        for size in sizes:
            # One line apiece (joined: one line at least); when not even that many fit at
            # this size, no layout can, and there is no need to lay one out.
            if (1 if joined else len(lines)) > _max_lines(zone, size):
                continue
            yield size, joined, known_fit(lines, zone, size, joined, lang)


def _trial_block(lines, zone: Rect, size: float, joined: bool, lang: str) -> tuple[float, str]:
    trial = BlockFit(size, joined, 0, 0, False, zone.width, zone.height)
    return zone.width, str(address_markup(list(lines), trial, lang))


def _measured(lines, zone: Rect, size: float, joined: bool, lang: str) -> BlockFit:
    count, height = _measure((_trial_block(lines, zone, size, joined, lang),))[0]
    return BlockFit(
        size, joined, count, _max_lines(zone, size), height + SLACK <= zone.height,
        zone.width, zone.height,
    )  # fmt: skip


def lay_out_first_trials(blocks: list[tuple[list[str], PaperLayout, str]], sender: bool) -> None:
    """Lay out together the first setting each block's fit will try: one WeasyPrint document
    instead of one per block (the fits then find it laid out). Blocks are (lines, paper, lang).
    """
    first = []
    for lines, paper, lang in blocks:
        zone, sizes, joinable = _zone(paper, sender)
        for size, joined, known in _trials(tuple(lines), zone, sizes, lang, joinable):
            if known is None:
                first.append(_trial_block(lines, zone, size, joined, lang))
            if known is not False:
                break
    if first:
        _measure(tuple(first))


def _zone(paper: PaperLayout, sender: bool) -> tuple[Rect, tuple[float, ...], bool]:
    if sender:
        return paper.return_address, SENDER_SIZES[paper.name], True
    return paper.recipient, RECIPIENT_SIZES, False


# Characters that the first font of the block's stack (letter.css) draws: Liberation Serif
# for printable Latin-1; Noto Serif CJK SC (lang zh-CN) for ASCII, CJK punctuation, the
# ideographs of Unicode 1.1 and full-width forms. A character a fallback font would draw can
# make a line taller: such blocks are laid out.
_FIRST_FONT_CHARS = {
    "": ("Liberation Serif", re.compile(r"[ -~\u00a0-\u00ff]*")),
    "zh-CN": (CJK_FAMILY, re.compile(r"[ -~\u3000-\u303f\u4e00-\u9fa5\uff01-\uff5e]*")),
}


def known_fit(lines, zone: Rect, size: float, joined: bool, lang: str) -> int | bool | None:
    """Tell without a layout whether a block fits at a setting (see _known_fit)."""
    return _known_fit(tuple(lines), zone, size, joined, lang)


# Each check asks twice per setting (the first trials laid out together, then the fit).
@lru_cache(maxsize=4096)
def _known_fit(lines: tuple[str, ...], zone: Rect, size: float, joined: bool, lang: str):
    """Tell, without a layout, whether the block fits at this setting, or None to lay it out.

    A fit is answered with the most lines the block can take (a true number), a misfit with
    False. Known only when the block's first font draws every character, so that every line
    is exactly `size * LEADING` tall, and the wrapping bounds (advances.line_bounds) settle
    it: the most lines fit with the slack free, or the fewest do not.
    """
    family, chars = _FIRST_FONT_CHARS["zh-CN" if lang == "zh-CN" else ""]
    if not all(chars.fullmatch(line) for line in lines) or not font_family_installed(family):
        return None
    advances = font_advances(family)
    paragraphs = [SEPARATOR.join(lines)] if joined else list(lines)
    bounds = advances and line_bounds(paragraphs, advances, size, zone.width)
    if not bounds:
        return None
    fewest, most = bounds
    leading = round(size * LEADING, 3) * MM_PER_PT
    if most * leading + SLACK + 0.01 <= zone.height:
        return int(most)
    if fewest * leading + SLACK > zone.height + 0.01:
        return False
    return None


def _max_lines(zone: Rect, size: float) -> int:
    leading = size * LEADING * 25.4 / 72
    return max(0, math.floor((zone.height - SLACK) / leading + 1e-6))


def fit_recipient(lines: list[str], paper: PaperLayout, lang: str) -> BlockFit:
    """Fit the recipient's lines into the window (one line each, 10 down to 8 pt)."""
    return fit_block(lines, *_zone(paper, sender=False)[:2], lang, joinable=False)


def fit_sender(lines: list[str], paper: PaperLayout, lang: str) -> BlockFit:
    """Fit the return address into its zone: shrink to 6 pt, then join its lines with " · "."""
    return fit_block(lines, *_zone(paper, sender=True)[:2], lang, joinable=True)
