"""What goes on a printed letter: plain values for the letter templates."""

from __future__ import annotations

from dataclasses import dataclass, field

from actionapp.models import Target
from actionapp.printing.pdf.fitting import BlockFit
from actionapp.printing.pdf.fonts import has_cjk
from actionapp.printing.pdf.scripts import language_direction, text_direction
from actionapp.web.i18n import country_name

# A blank line to write on by hand (event packs).
BLANK = "_" * 16


def html_lang(language: str) -> str:
    """Return the HTML lang value for a letter language (zh-CN picks the Chinese glyphs)."""
    return "zh-CN" if language == "zh" else language


def text_lang(text: str, language: str) -> str:
    """Return the lang a piece of text needs: Chinese when it holds CJK characters."""
    return "zh-CN" if has_cjk(text) else html_lang(language)


def supporter_lang(text: str, language: str) -> str:
    """Return the lang of a supporter's text, or "" when its script says it is not `language`.

    A supporter who writes in English may type an Arabic paragraph: marking it "en" would be
    wrong, so a text whose direction differs from its language's is left unmarked.
    """
    if has_cjk(text):
        return "zh-CN"
    direction = text_direction(text)
    if direction is not None and direction != language_direction(language):
        return ""
    return html_lang(language)


def recipient_lines(target: Target) -> list[str]:
    """Return the recipient block: name, organisation, then the postal address."""
    return window_lines(target.name, target.organisation, target.address)


def window_lines(name: str, organisation: str, address: list[str]) -> list[str]:
    """Return the recipient block from a target's name, organisation and address lines."""
    lines = [name]
    if organisation and organisation != name:
        lines.append(organisation)
    return [*lines, *(line.strip() for line in address if line.strip())]


def return_lines(name: str, street_address: str, city: str, country: str, language: str):
    """Return the sender's address lines, or [] when they gave no street address."""
    street = [line.strip() for line in street_address.splitlines() if line.strip()]
    if not street:
        return []
    place = [city] if city and city not in street[-1] else []
    lines = [name, *street, *place, country_name(country, language) if country else ""]
    return [line for line in lines if line]


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
    recipient_fit: BlockFit
    # The address blocks' HTML, built by fitting.address_markup from plain text (escaped).
    recipient_block: str
    sender: list[str]
    sender_block: str
    date_text: str
    subject: str
    salutation: str
    body: list[str]
    personal: list[str]
    personal_lang: str
    personal_dir: str
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
    # Small labels under the blank lines: {"date": ..., "name": ..., "address": ...}.
    blank_labels: dict = field(default_factory=dict)
    needs_cjk: bool = False
    extra: dict = field(default_factory=dict)
