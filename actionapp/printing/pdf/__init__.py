"""Printable letters rendered by WeasyPrint in the app's process."""

from actionapp.printing.pdf.documents import (
    DocumentTooLargeError,
    LetterOptions,
    PrintSettings,
    envelopes_pdf,
    letters_pdf,
)
from actionapp.printing.pdf.engine import RenderedPdf, RenderTimeoutError
from actionapp.printing.pdf.event_packs import EVENT_PACK_MAX, EventPack, event_pack_pdf
from actionapp.printing.pdf.fonts import CJK_MISSING_MESSAGE, cjk_font_available
from actionapp.printing.pdf.paper import ENVELOPES, PAPERS, choose_paper

__all__ = [
    "CJK_MISSING_MESSAGE",
    "ENVELOPES",
    "EVENT_PACK_MAX",
    "PAPERS",
    "DocumentTooLargeError",
    "EventPack",
    "LetterOptions",
    "PrintSettings",
    "RenderTimeoutError",
    "RenderedPdf",
    "choose_paper",
    "cjk_font_available",
    "envelopes_pdf",
    "event_pack_pdf",
    "letters_pdf",
]
