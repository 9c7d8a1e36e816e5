"""Printable documents: a submission's letters and its envelopes (packs: event_packs.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import render_template
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from actionapp.campaigns.actions import action_state
from actionapp.letters.compose import (
    LetterText,
    SupporterDetails,
    write_translation,
)
from actionapp.letters.record import letter_as_sent
from actionapp.models import Letter, Submission, Target
from actionapp.printing.pdf.engine import RenderedPdf
from actionapp.printing.pdf.fitting import address_markup, fit_css, fit_recipient, fit_sender
from actionapp.printing.pdf.fonts import CJK_MISSING_MESSAGE, cjk_font_available, has_cjk
from actionapp.printing.pdf.layout import (
    PrintedLetter,
    html_lang,
    paragraphs,
    recipient_lines,
    return_lines,
    supporter_lang,
    text_lang,
)
from actionapp.printing.pdf.paper import (
    ENVELOPES,
    PaperLayout,
    choose_paper,
    default_envelope,
    geometry_css,
)
from actionapp.printing.pdf.pool import (
    Renderer,
    default_processes,
    inputs_key,
    renderer_for,
    row_values,
)
from actionapp.printing.pdf.qr import qr_svg_data_uri
from actionapp.printing.pdf.scripts import text_direction
from actionapp.printing.postage import goes_abroad

# A letter's text beyond this is not a letter: refuse it before WeasyPrint sees it.
MAX_LETTER_CHARS = 12_000


class DocumentTooLargeError(ValueError):
    """A document asks for more than the renderer accepts."""


@dataclass(frozen=True)
class PrintSettings:
    """Configuration the print documents use (read from the app config by the caller)."""

    assets_dir: Path
    organisation: str
    timeout: float = 20.0
    cache_bytes: int = 64 * 2**20
    cache_seconds: float = 3600.0
    # Render processes per web process: for supporters' letters, and (apart) for event packs.
    processes: int = 1
    pack_processes: int = 1

    @classmethod
    def from_config(cls, config: Mapping, static_folder: str) -> PrintSettings:
        """Build the settings from an app's config mapping."""
        return cls(
            assets_dir=Path(static_folder) / "print",
            organisation=config["ORGANISATION_NAME"],
            timeout=float(config.get("PDF_RENDER_TIMEOUT", 20)),
            cache_bytes=int(float(config.get("PDF_CACHE_MB", 64)) * 2**20),
            cache_seconds=float(config.get("PDF_CACHE_SECONDS", 3600)),
            processes=int(config.get("PDF_RENDER_PROCESSES") or default_processes()),
            pack_processes=int(config.get("PDF_PACK_PROCESSES", 1)),
        )


@dataclass(frozen=True)
class LetterOptions:
    """What the supporter asked for with their download."""

    paper: str | None = None
    translation: bool = False
    guide: bool = True
    # The "I posted it" page, printed on the guide page with its short code and a QR code
    # (print channel only).
    posted_url: str | None = None
    posted_code: str | None = None


def configured_renderer(settings: PrintSettings) -> Renderer:
    """Return this process's renderer for the settings' assets, with their cache limits."""
    renderer = renderer_for(settings.assets_dir)
    renderer.cache.max_bytes = settings.cache_bytes
    renderer.cache.max_age = settings.cache_seconds
    return renderer


def render_document(
    settings: PrintSettings, html: str, stylesheets: list[str], paper=None, lane="letters", **kw
):
    """Render a document's HTML with its stylesheets (and paper geometry) in its lane."""
    renderer = configured_renderer(settings)
    sheets = [renderer.stylesheet(name) for name in stylesheets]
    if paper is not None:
        sheets.append(renderer.stylesheet(f"geometry-{paper.name}", geometry_css(paper)))
        sheets.append(renderer.stylesheet("address-fit", fit_css()))
    processes = settings.pack_processes if lane == "packs" else settings.processes
    return renderer.render(
        html, sheets, timeout=settings.timeout, lane=lane, processes=processes, **kw
    )


def page_number_label(language: str) -> tuple[str, str]:
    """Return the text around a page number ("Page ", "") in a letter's language."""
    with force_locale(language):
        before, _sep, after = _("Page %(num)s", num="\x00").partition("\x00")
    return before, after


def _check_size(texts: list[str]) -> None:
    if sum(len(text) for text in texts) > MAX_LETTER_CHARS:
        raise DocumentTooLargeError("a letter's text is longer than a printed letter can be")


def printed_letter(
    letter: LetterText, submission: Submission | SampleWriter, paper: PaperLayout
) -> PrintedLetter:
    """Return a letter as sent (services.letters.letter_as_sent) as it is printed."""
    language = letter.language
    personal = letter.personal_message
    _check_size([letter.subject, letter.salutation, letter.body, letter.closing, personal])
    recipient = recipient_lines(letter.target)
    recipient_lang = text_lang(" ".join(recipient), language)
    recipient_fit = fit_recipient(recipient, paper, recipient_lang)
    sender = return_lines(
        submission.name,
        submission.street_address,
        submission.city,
        submission.country,
        language,
    )
    sender_lang = supporter_lang(" ".join(sender), submission.language)
    return PrintedLetter(
        anchor=f"letter-{letter.target.id}",
        lang=html_lang(language),
        recipient=recipient,
        recipient_lang=recipient_lang,
        recipient_fit=recipient_fit,
        recipient_block=address_markup(recipient, recipient_fit, recipient_lang, "recipient"),
        sender=sender,
        sender_block=_sender_block(sender, paper, sender_lang),
        date_text=letter.date_text,
        subject=letter.subject,
        salutation=letter.salutation,
        body=paragraphs(letter.body),
        personal=paragraphs(personal),
        personal_lang=supporter_lang(personal, submission.language),
        personal_dir=text_direction(personal) or "",
        closing=letter.closing,
        signature_name=letter.signature_name,
        signature_place=letter.signature_place,
        running_head=f"{letter.signature_name} · {letter.target.name}",
        page_label=page_number_label(language),
        date_at_end=letter.date_at_end,
        needs_cjk=letter_needs_cjk(language, recipient, letter.body, personal),
    )


def _sender_block(sender: list[str], paper: PaperLayout, lang: str) -> str:
    if not sender:
        return ""
    fit = fit_sender(sender, paper, lang)
    if not fit.fits:
        # Accepted for an email (which has no return address) and printed later, or recorded
        # before the check: it would run over the recipient, so the letter goes without it.
        return ""
    return address_markup(sender, fit, lang, "return-address")


def letter_needs_cjk(language: str, recipient: list[str], *texts: str) -> bool:
    """Tell whether a letter in this language, to this recipient, needs the CJK font."""
    return language == "zh" or any(has_cjk(text) for text in (*recipient, *texts))


def supporter_details(submission: Submission) -> SupporterDetails:
    """Return the composer's details stored with a submission (to write translations)."""
    return SupporterDetails(
        name=submission.name,
        city=submission.city,
        country=submission.country,
        language=submission.language,
        variant=submission.variant,
        personal_message=submission.personal_message,
        street_address=submission.street_address,
        edited_body=submission.edited_body,
        target_ids=[letter.target_id for letter in submission.letters],
        seed=submission.client_key,
    )


def translations(submission: Submission) -> list[tuple[Letter, LetterText, str]]:
    """Return each letter that is not in the supporter's language with what it says in theirs.

    The whole letter, as the preview shows its translation: the personal paragraph and the
    signature too (with the paragraph's lang, as in the letter itself).
    """
    details = supporter_details(submission)
    found = []
    for letter in submission.letters:
        if letter.language == submission.language:
            continue
        text = write_translation(
            submission.action, details, letter.target, letter.created_at.date()
        )
        if text is not None:
            found.append((letter, text, supporter_lang(text.personal_message, text.language)))
    return found


def postage_notes(submission: Submission) -> list[tuple[Target, bool]]:
    """Return each recipient with whether the letter goes abroad (international postage)."""
    return [
        (letter.target, goes_abroad(letter.target.country, submission.country))
        for letter in submission.letters
    ]


def letters_pdf(
    submission: Submission, settings: PrintSettings, options: LetterOptions, now: datetime
) -> RenderedPdf:
    """Render a submission's letters, each from a new page, to one PDF ready to post."""
    paper = choose_paper(options.paper, submission.paper, submission.country)
    action = submission.action
    state = action_state(action, now)
    # What the PDF is made from: its rows (any edit of the action or of its targets, model
    # letters and texts moves action.updated_at), the state it shows, the options, the
    # interface language. A repeated download finds its PDF without building the HTML.
    inputs = inputs_key(
        "letters", row_values(submission), [row_values(letter) for letter in submission.letters],
        action.id, action.updated_at, state.status, state.post_in_time, state.days_left,
        options, paper.name, str(get_locale()), settings.organisation, cjk_font_available(),
    )  # fmt: skip
    found = configured_renderer(settings).cached_for(inputs)
    if found is not None:
        return found
    letters = [
        printed_letter(letter_as_sent(letter), submission, paper) for letter in submission.letters
    ]
    html = render_template(
        "letters/letters.html",
        lang=html_lang(submission.language),
        title=_("Your letters: %(title)s", title=action.title),
        author=settings.organisation,
        letters=letters,
        paper=paper,
        action=action,
        state=state,
        postage=postage_notes(submission),
        guide=options.guide,
        posted_url=options.posted_url,
        posted_code=options.posted_code,
        posted_qr=qr_svg_data_uri(options.posted_url) if options.posted_url else None,
        translations=translations(submission) if options.translation else [],
        cjk_missing=any_cjk_missing(letters),
        cjk_message=CJK_MISSING_MESSAGE,
        envelope=ENVELOPES[default_envelope(paper)],
    )
    return render_document(settings, html, ["letter.css"], paper, inputs=inputs)


@dataclass(frozen=True)
class SampleWriter:
    """The supporter's details a printed letter uses (a stand-in for a Submission)."""

    name: str
    street_address: str
    city: str
    country: str
    language: str
    personal_message: str


def letter_pages(
    written: LetterText, writer: SampleWriter, paper: PaperLayout, settings: PrintSettings
) -> int:
    """Return how many pages one written letter prints on (DocumentTooLargeError if too long)."""
    letter = printed_letter(written, writer, paper)
    html = render_template(
        "letters/letters.html",
        lang=letter.lang,
        title=written.subject,
        author=settings.organisation,
        letters=[letter],
        paper=paper,
        action=None,
        state=None,
        postage=[],
        guide=False,
        posted_url=None,
        translations=[],
        cjk_missing=False,
        cjk_message="",
        envelope=None,
    )
    return render_document(settings, html, ["letter.css"], paper).pages


def any_cjk_missing(letters: list[PrintedLetter]) -> bool:
    """Tell whether some letter needs the CJK font and this machine lacks it."""
    return any(letter.needs_cjk for letter in letters) and not cjk_font_available()


def envelopes_pdf(
    submission: Submission, settings: PrintSettings, size: str, now: datetime
) -> RenderedPdf:
    """Render one envelope per letter, addressed, for people without window envelopes."""
    envelope = ENVELOPES[size]
    pages = []
    for letter in submission.letters:
        recipient = recipient_lines(letter.target)
        pages.append(
            {
                "recipient": recipient,
                "lang": text_lang(" ".join(recipient), letter.language),
                # The envelope goes out through the supporter's own post office.
                "sender": return_lines(
                    submission.name,
                    submission.street_address,
                    submission.city,
                    submission.country,
                    submission.language,
                ),
                "international": goes_abroad(letter.target.country, submission.country),
                "needs_cjk": has_cjk(" ".join(recipient)),
            }
        )
    html = render_template(
        "letters/envelopes.html",
        lang=html_lang(submission.language),
        title=_("Envelopes: %(title)s", title=submission.action.title),
        author=settings.organisation,
        envelope=envelope,
        pages=pages,
        cjk_missing=any(p["needs_cjk"] for p in pages) and not cjk_font_available(),
        cjk_message=CJK_MISSING_MESSAGE,
    )
    return render_document(settings, html, ["envelope.css"])
