"""Event packs: letters with blank lines for a letter-writing event, and their envelopes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from actionapp.campaigns.actions import model_letter
from actionapp.letters.compose import (
    SupporterDetails,
    date_at_end,
    render_model_body,
    salutation_for,
    target_language,
)
from actionapp.models import Action, Target
from actionapp.printing.pdf.documents import (
    DocumentTooLargeError,
    PrintSettings,
    any_cjk_missing,
    letter_needs_cjk,
    page_number_label,
    render_document,
)
from actionapp.printing.pdf.engine import RenderedPdf
from actionapp.printing.pdf.fitting import address_markup, fit_recipient
from actionapp.printing.pdf.fonts import CJK_MISSING_MESSAGE
from actionapp.printing.pdf.layout import (
    BLANK,
    PrintedLetter,
    html_lang,
    paragraphs,
    recipient_lines,
    text_lang,
)
from actionapp.printing.pdf.paper import PaperLayout, choose_paper

# The largest event pack: 200 letters, laid out once per recipient and repeated.
EVENT_PACK_MAX = 200


@dataclass(frozen=True)
class EventPack:
    """A pack of letters with blank lines, for a letter-writing event."""

    language: str
    variant: str
    paper: str
    target_ids: list[int]
    copies: int

    @property
    def total(self) -> int:
        """Return how many letters the pack holds."""
        return self.copies * len(self.target_ids)


def pack_language(action: Action, pack: EventPack, target: Target) -> str:
    """Return the language of a pack's letter to a target: the pack's, or (by default) the
    target's own where a model letter exists in it, as single letters have it."""
    if pack.language:
        return pack.language
    details = SupporterDetails(
        name="", city="", country="", language=action.language, variant=pack.variant
    )
    return target_language(action, details, target)


def blank_labels(language: str) -> dict[str, str]:
    """Return the small labels under a pack letter's blank lines, in the letter's language."""
    with force_locale(language):
        return {
            "date": _("Date"),
            "name": _("Your name"),
            "address": _("Your address"),
        }


def pack_letter(action: Action, pack: EventPack, target: Target, paper: PaperLayout):
    """Return one event letter to a target, with blank lines for the writer's details."""
    language = pack_language(action, pack, target)
    model = model_letter(action, pack.variant, language)
    if model is None:
        raise ValueError(f"no model letter {pack.variant!r} in {language!r}")
    values = {
        "supporter.name": BLANK,
        "supporter.city": BLANK,
        "supporter.country": BLANK,
        "target.name": target.name,
    }
    body = render_model_body(model.body, values)
    recipient = recipient_lines(target)
    recipient_lang = text_lang(" ".join(recipient), language)
    recipient_fit = fit_recipient(recipient, paper, recipient_lang)
    return PrintedLetter(
        anchor=f"copy-section-{target.id}",
        lang=html_lang(language),
        recipient=recipient,
        recipient_lang=recipient_lang,
        recipient_fit=recipient_fit,
        recipient_block=address_markup(recipient, recipient_fit, recipient_lang, "recipient"),
        sender=[],
        sender_block="",
        date_text="",
        subject=model.subjects[0] if model.subjects else "",
        salutation=salutation_for(target, language),
        body=paragraphs(body),
        personal=[],
        personal_lang=html_lang(language),
        personal_dir="",
        closing=model.closing,
        signature_name="",
        signature_place="",
        running_head=target.name,
        page_label=page_number_label(language),
        date_at_end=date_at_end(language),
        blank_lines=2,
        blank_sender=True,
        blank_labels=blank_labels(language),
        needs_cjk=letter_needs_cjk(language, recipient, body),
    )


def event_pack_pdf(
    action: Action, settings: PrintSettings, pack: EventPack, now: datetime
) -> RenderedPdf:
    """Render an event pack: `copies` letters to each chosen target, then an envelope sheet."""
    if not 1 <= pack.total <= EVENT_PACK_MAX:
        raise DocumentTooLargeError(f"an event pack holds 1 to {EVENT_PACK_MAX} letters")
    paper = choose_paper(pack.paper, "", "")
    chosen = set(pack.target_ids)
    targets = [t for t in action.targets if t.id in chosen]
    letters = [pack_letter(action, pack, target, paper) for target in targets]
    html = render_template(
        "letters/event_pack.html",
        lang=html_lang(pack.language or action.language),
        title=_("Letter-writing event: %(title)s", title=action.title),
        author=settings.organisation,
        letters=letters,
        targets=targets,
        copies=pack.copies,
        paper=paper,
        action=action,
        cjk_missing=any_cjk_missing(letters),
        cjk_message=CJK_MISSING_MESSAGE,
    )
    return render_document(
        settings,
        html,
        ["letter.css"],
        paper,
        lane="packs",
        copies=[pack.copies] * len(letters) + [1],
    )
