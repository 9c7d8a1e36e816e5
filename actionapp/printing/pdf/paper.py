"""Paper sizes, envelope windows and fold marks (DOMAIN §3); every length in millimetres."""

from __future__ import annotations

from dataclasses import dataclass

INCH = 25.4
# USPS asks for 1/8 in of clear space around the address block; we keep it on A4 as well.
CLEAR_SPACE = INCH / 8

# Countries that use US Letter paper (and #10 envelopes); A4 nearly everywhere else.
LETTER_COUNTRIES = frozenset(
    {
        "US", "CA", "MX", "PH",  # North America and the Philippines
        "CL", "CO", "VE", "CR", "GT", "PA", "DO", "SV", "NI", "HN", "BZ",  # Latin America
        "PR", "GU", "VI", "AS", "MP",  # US territories
    }
)  # fmt: skip


@dataclass(frozen=True)
class Rect:
    """A rectangle on the sheet, from its top-left corner."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        """Return the x of the right edge."""
        return self.x + self.width

    @property
    def bottom(self) -> float:
        """Return the y of the bottom edge."""
        return self.y + self.height

    def shrink(self, by: float) -> Rect:
        """Return the rectangle with `by` taken off every side."""
        return Rect(self.x + by, self.y + by, self.width - 2 * by, self.height - 2 * by)

    def contains(self, x0: float, top: float, x1: float, bottom: float) -> bool:
        """Tell whether a box (left, top, right, bottom) lies entirely inside."""
        return x0 >= self.x and x1 <= self.right and top >= self.y and bottom <= self.bottom

    def overlaps(self, x0: float, top: float, x1: float, bottom: float) -> bool:
        """Tell whether a box (left, top, right, bottom) reaches into the rectangle."""
        return x0 < self.right and x1 > self.x and top < self.bottom and bottom > self.y


@dataclass(frozen=True)
class PaperLayout:
    """Where everything goes on one paper size for its window envelope."""

    name: str  # "a4" or "letter"
    css_size: str
    width: float
    height: float
    envelope: str
    margin_left: float
    margin_right: float
    margin_bottom: float
    # Continuation pages start below the window's reach, so nothing shows through it.
    continuation_top: float
    # Where the subject line begins on a letter's first page.
    body_top: float
    # The part of the sheet seen through the window wherever the folded sheet sits in the
    # envelope (the address must be in here, with clear space) ...
    window_always: Rect
    # ... and every part of the sheet the window can show as the sheet moves (nothing but
    # the addresses may be in here).
    window_reach: Rect
    recipient: Rect
    return_address: Rect
    # Whether the return address sits in the window above the recipient (DIN 5008) or at
    # the top of the page (US letters: a #10 window has room for the recipient only).
    return_in_window: bool
    date: Rect
    folds: tuple[float, ...]
    punch: float


A4 = PaperLayout(
    name="a4",
    css_size="A4",
    width=210,
    height=297,
    envelope="DL",
    margin_left=25,
    margin_right=20,
    margin_bottom=20,
    continuation_top=100,
    body_top=98.5,
    # DIN 5008 form B, field 85 x 45 at (20, 45) behind a DL window 90 x 45 (DIN 680). Folded
    # at 105 and 210 the sheet can slide about 10 mm sideways and 5 mm up and down.
    window_always=Rect(20, 50, 80, 40),
    window_reach=Rect(10, 45, 100, 50),
    recipient=Rect(25, 62.7, 70, 86.8 - 62.7),
    return_address=Rect(25, 50.5, 70, 11.5),
    return_in_window=True,
    date=Rect(125, 50, 65, 10),
    folds=(105, 210),
    punch=148.5,
)

LETTER = PaperLayout(
    name="letter",
    css_size="letter",
    width=8.5 * INCH,
    height=11 * INCH,
    envelope="#10",
    margin_left=1.0 * INCH,
    margin_right=0.9 * INCH,
    margin_bottom=0.75 * INCH,
    continuation_top=3.7 * INCH,
    body_top=3.7 * INCH,
    # #10 window 1 1/8 x 4 1/2 in, 7/8 in from the left and 1/2 in from the bottom. Tri-folded
    # at 3 2/3 and 7 1/3 in, the sheet rests on the envelope's bottom fold, so the window shows
    # sheet y 2.04-3.17 in; sideways it can slide up to 7/8 in, upwards a little.
    window_always=Rect(0.875 * INCH, 2.042 * INCH, 3.625 * INCH, 1.125 * INCH),
    window_reach=Rect(0, 2.042 * INCH, 5.375 * INCH, 1.583 * INCH),
    recipient=Rect(1.0 * INCH, 2.2 * INCH, 3.35 * INCH, 0.8 * INCH),
    return_address=Rect(1.0 * INCH, 0.6 * INCH, 3.4 * INCH, 1.2 * INCH),
    return_in_window=False,
    date=Rect(5.6 * INCH, 2.2 * INCH, 8.5 * INCH - 5.6 * INCH - 0.9 * INCH, 0.4 * INCH),
    folds=(11 * INCH / 3, 22 * INCH / 3),
    punch=5.5 * INCH,
)

PAPERS = {"a4": A4, "letter": LETTER}


@dataclass(frozen=True)
class EnvelopeSize:
    """An envelope to print the address on, for people without window envelopes."""

    name: str
    label: str
    css_size: str
    width: float
    height: float


ENVELOPES = {
    "dl": EnvelopeSize("dl", "DL (110 × 220 mm)", "220mm 110mm", 220, 110),
    "c5": EnvelopeSize("c5", "C5 (162 × 229 mm)", "C5 landscape", 229, 162),
    "no10": EnvelopeSize("no10", "#10 (4⅛ × 9½ in)", "9.5in 4.125in", 9.5 * INCH, 4.125 * INCH),
}


def paper_for_country(country: str) -> PaperLayout:
    """Return the paper used in a country: US Letter in the Letter countries, else A4."""
    return LETTER if country.upper() in LETTER_COUNTRIES else A4


def choose_paper(requested: str | None, stored: str, country: str) -> PaperLayout:
    """Pick the paper: the download's choice, else the composer's, else the country's."""
    for choice in (requested, stored):
        if choice in PAPERS:
            return PAPERS[choice]
    return paper_for_country(country)


def default_envelope(paper: PaperLayout) -> str:
    """Return the envelope that goes with a paper size."""
    return "no10" if paper.name == "letter" else "dl"


def geometry_css(paper: PaperLayout) -> str:
    """Return the CSS that places a letter's parts on this paper (the one source of numbers)."""
    ml = paper.margin_left

    def box(rect: Rect) -> str:
        return (
            f"left: {rect.x - ml:.2f}mm; top: {rect.y:.2f}mm; "
            f"width: {rect.width:.2f}mm; height: {rect.height:.2f}mm;"
        )

    marks = "\n".join(
        f".fold-{n} {{ top: {y:.2f}mm; }}" for n, y in enumerate(paper.folds, start=1)
    )
    sender = paper.return_address
    if paper.return_in_window:
        # Bottom-aligned: the last line sits just above the recipient, as DIN 5008 has it.
        sender_css = (
            f"left: {sender.x - ml:.2f}mm; bottom: {paper.body_top - sender.bottom:.2f}mm; "
            f"width: {sender.width:.2f}mm; max-height: {sender.height:.2f}mm;"
        )
    else:
        sender_css = box(sender)
    return f"""
@page {{
  size: {paper.css_size};
  margin: {paper.continuation_top:.2f}mm {paper.margin_right:.2f}mm
    {paper.margin_bottom:.2f}mm {ml:.2f}mm;
}}
@page letter:nth(1 of letter) {{ margin-top: 0; }}
@page extra {{ margin: 20mm {paper.margin_right:.2f}mm {paper.margin_bottom:.2f}mm {ml:.2f}mm; }}
.letterhead {{ height: {paper.body_top:.2f}mm; }}
.recipient {{ {box(paper.recipient)} }}
.return-address {{ {sender_css} }}
.date {{ {box(paper.date)} }}
.font-warning {{ left: {paper.date.x - ml:.2f}mm; top: 12mm; width: {paper.date.width:.2f}mm; }}
.fold-mark, .punch-mark {{ left: {4 - ml:.2f}mm; }}
{marks}
.punch-mark {{ top: {paper.punch:.2f}mm; }}
"""
