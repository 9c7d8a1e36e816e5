"""Printed solidarity cards: approved messages, four to a sheet, with cut marks.

A card carries the message and its signature only: never the writer's email or address, and
no organisation name when the action's rules leave it out (not even in the PDF's metadata).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_babel import gettext as _

from actionapp.models import Action, SolidarityMessage, SolidaritySettings
from actionapp.printing.pdf.documents import PrintSettings, configured_renderer
from actionapp.printing.pdf.engine import RenderedPdf
from actionapp.printing.pdf.fonts import CJK_MISSING_MESSAGE, cjk_font_available, has_cjk
from actionapp.printing.pdf.layout import html_lang, paragraphs, text_lang
from actionapp.printing.pdf.paper import PAPERS, PaperLayout
from actionapp.printing.pdf.scripts import language_direction, text_direction

# Cards per sheet: two across, two down (A6 on A4, 4 1/4 x 5 1/2 in on US Letter).
ACROSS, DOWN = 2, 2
# One PDF holds at most this many cards (a render stays within its time limit).
CARDS_MAX = 400


@dataclass(frozen=True)
class PrintedCard:
    """One card as printed, every string plain text."""

    lang: str
    dir: str
    paragraphs: list[str]
    signature: str
    size: str  # "large", "medium" or "small": type that fits the message on the card
    greeting: str
    # The greeting is in an interface language, which may not be the message's script.
    greeting_dir: str = "ltr"


def _size(text: str) -> str:
    if len(text) <= 180:
        return "large"
    return "medium" if len(text) <= 450 else "small"


def printed_card(message: SolidarityMessage, greeting: str) -> PrintedCard:
    """Return an approved message as it prints on a card."""
    body = message.body
    return PrintedCard(
        lang=text_lang(body, message.language),
        dir=text_direction(body) or language_direction(message.language),
        paragraphs=paragraphs(body),
        signature=message.signature,
        size=_size(body),
        greeting=greeting,
        greeting_dir=text_direction(greeting) or "ltr",
    )


def cards_css(paper: PaperLayout) -> str:
    """Return the sheet and card sizes for a paper (cut lines halve it both ways)."""
    width, height = paper.width / ACROSS, paper.height / DOWN
    return (
        f"@page {{ size: {paper.css_size}; margin: 0; }}\n"
        f".sheet {{ width: {paper.width:.2f}mm; height: {paper.height:.2f}mm; }}\n"
        f".card {{ width: {width:.2f}mm; height: {height:.2f}mm; }}\n"
        f".cut-v {{ left: {width:.2f}mm; }}\n.cut-h {{ top: {height:.2f}mm; }}\n"
    )


def solidarity_cards_pdf(
    action: Action,
    settings: SolidaritySettings | None,
    messages: list[SolidarityMessage],
    print_settings: PrintSettings,
    paper_name: str,
) -> RenderedPdf:
    """Render approved messages as cards, four to a sheet, ready to cut and deliver."""
    paper = PAPERS[paper_name]
    name = settings.recipient_name if settings else ""
    cards = [printed_card(m, _greeting(name, m.language)) for m in messages]
    sheets = [cards[i : i + ACROSS * DOWN] for i in range(0, len(cards), ACROSS * DOWN)]
    hide_organisation = settings is None or settings.no_organisation
    html = render_template(
        "letters/cards.html",
        lang=html_lang(action.language),
        title=_("Messages of solidarity"),
        author="" if hide_organisation else print_settings.organisation,
        sheets=sheets,
        cjk_missing=any(has_cjk(m.body) for m in messages) and not cjk_font_available(),
        cjk_message=CJK_MISSING_MESSAGE,
    )
    renderer = configured_renderer(print_settings)
    sheets_css = [
        renderer.stylesheet("letter.css"),
        renderer.stylesheet("cards.css"),
        renderer.stylesheet(f"cards-{paper.name}", cards_css(paper)),
    ]
    # Cards are a pack's kind of work: they render in the packs' lane, after single letters.
    return renderer.render(
        html,
        sheets_css,
        timeout=print_settings.timeout,
        lane="packs",
        processes=print_settings.pack_processes,
    )


def _greeting(name: str, language: str) -> str:
    """Return "Dear <name>," in the card's language (nothing when no name is set)."""
    from flask_babel import force_locale

    if not name:
        return ""
    with force_locale(language):
        return _("Dear %(name)s,", name=name)
