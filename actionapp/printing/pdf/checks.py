"""What the forms ask before they accept an address: does it print inside its zone?

Each check measures with fitting.py, the same layout the PDFs use, on every paper size.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from actionapp.letters.compose import SupporterDetails, letter_from_model
from actionapp.models import Channel, Target
from actionapp.printing.pdf.documents import (
    DocumentTooLargeError,
    PrintSettings,
    SampleWriter,
    letter_pages,
)
from actionapp.printing.pdf.fitting import BlockFit, fit_recipient, fit_sender, lay_out_first_trials
from actionapp.printing.pdf.layout import (
    html_lang,
    return_lines,
    supporter_lang,
    text_lang,
    window_lines,
)
from actionapp.printing.pdf.paper import PAPERS, PaperLayout

PAPER_LABELS = {"a4": _l("A4"), "letter": _l("US Letter")}


def sender_fits(
    name: str, street_address: str, city: str, country: str, languages: list[str],
    writer_language: str = "en",
) -> list[tuple[PaperLayout, BlockFit]]:  # fmt: skip
    """Return (paper, fit) wherever the return address does not fit, for each letter language.

    Lines and lang are what printed_letter gives the block: the country in the letter's
    language, the lang from the writer's.
    """
    blocks = []
    for language in languages or ["en"]:
        lines = return_lines(name, street_address, city, country, language)
        if not lines:
            return []
        blocks += [(lines, paper, supporter_lang(" ".join(lines), writer_language))
                   for paper in PAPERS.values()]  # fmt: skip
    # One layout for every paper and language (most addresses fit at the first size tried).
    lay_out_first_trials(blocks, sender=True)
    misfits = []
    for paper in PAPERS.values():
        for lines, on, lang in blocks:
            if on is paper and not (fit := fit_sender(lines, paper, lang)).fits:
                misfits.append((paper, fit))
                break
    return misfits


def prints_return_address(channel: str) -> bool:
    """Tell whether a channel's letters carry a printed return address (window envelopes).

    Emails, and letters opened in the supporter's email app, have none: their return address
    need not fit any zone.
    """
    return channel == Channel.PRINT


def sender_problem(
    name: str, street_address: str, city: str, country: str, languages: list[str],
    writer_language: str = "en", channel: str = Channel.PRINT,
) -> str | None:  # fmt: skip
    """Return why the return address cannot be printed (lines needed, lines that fit), or None.

    Only a channel that prints the return address (prints_return_address) can be refused.
    """
    if not prints_return_address(channel):
        return None
    misfits = sender_fits(name, street_address, city, country, languages, writer_language)
    if not misfits:
        return None
    paper, fit = max(misfits, key=lambda found: found[1].lines - found[1].max_lines)
    return str(
        _l(
            "Your address needs %(lines)d lines on %(paper)s paper, even in small type; at most "
            "%(max)d fit in the space for the return address. Please shorten it, for example by "
            "leaving out the floor, the building or the c/o line.",
            lines=fit.lines,
            paper=PAPER_LABELS[paper.name],
            max=fit.max_lines,
        )
    )


def recipient_problems(
    name: str, organisation: str, address_lines: str, language: str
) -> list[str]:
    """Return, per paper size, why a target's address does not fit the envelope window."""
    lines = window_lines(name, organisation, address_lines.splitlines())
    lang = text_lang(" ".join(lines), html_lang(language or "en"))
    problems = []
    for paper in PAPERS.values():
        fit = fit_recipient(lines, paper, lang)
        if not fit.fits:
            problems.append(
                str(
                    _l(
                        "On %(paper)s the name, organisation and address need %(lines)d lines "
                        "at %(size)s pt in the %(width)d mm wide window; at most %(max)d lines "
                        "fit. Shorten the address to %(max)d lines in all, or shorten the "
                        "lines that wrap.",
                        paper=PAPER_LABELS[paper.name],
                        lines=fit.lines,
                        size=f"{fit.size_pt:g}",
                        width=round(fit.zone_width),
                        max=fit.max_lines,
                    )
                )
            )
    return problems


def target_fit_problems(target) -> list[str]:
    """Return why a saved target's address does not fit the window (publishing checklist)."""
    return recipient_problems(
        target.name, target.organisation, target.address_lines, target.language
    )


# A model letter prints on at most this many pages, with the longest supporter inputs.
MAX_LETTER_PAGES = 3
_SAMPLE_SENTENCE = (
    "I am a secondary school teacher and a trade union member, and I have followed this case "
    "since the arrests with growing concern for their health and their families. "
)


def longest_writer(personal_max: int, language: str) -> SampleWriter:
    """Return a supporter with the longest realistic inputs: a full personal paragraph."""
    paragraph = ""
    while len(paragraph) < personal_max:
        paragraph += _SAMPLE_SENTENCE * 2 + "\n\n"
    return SampleWriter(
        name="Dr. Friederike Baumgärtner-Oelschläger",
        street_address="Schönhauser Allee 142, Seitenflügel\nHaus C, 3. Obergeschoss rechts",
        city="Berlin-Prenzlauer Berg",
        country="DE",
        language=language,
        personal_message=paragraph[:personal_max].strip(),
    )


def model_letter_print_problems(
    action, model, settings: PrintSettings, personal_max: int, now: datetime
) -> list[str]:
    """Return why a model letter would not print within MAX_LETTER_PAGES on some paper.

    `model` is a ModelLetter (saved or a draft); it is written to the action's longest
    recipient by a supporter who fills the personal paragraph up to `personal_max`.
    """
    writer = longest_writer(personal_max, model.language)
    details = SupporterDetails(
        name=writer.name, city=writer.city, country=writer.country, language=model.language,
        variant=model.variant, personal_message=writer.personal_message,
        street_address=writer.street_address, seed="longest",
    )  # fmt: skip
    targets = sorted(
        action.targets, key=lambda t: -len(" ".join([t.name, t.organisation, t.address_lines]))
    )
    target = targets[0] if targets else Target(name="Example", language=model.language)
    written = letter_from_model(model, details, target, now.date())
    problems = []
    for paper in PAPERS.values():
        try:
            pages = letter_pages(written, writer, paper, settings)
        except DocumentTooLargeError:
            pages = None
        if pages is None or pages > MAX_LETTER_PAGES:
            problems.append(
                str(
                    _l(
                        "With the longest personal paragraph a supporter may add, this letter "
                        "would print on more than %(max)d pages on %(paper)s paper. Please "
                        "shorten it.",
                        max=MAX_LETTER_PAGES,
                        paper=PAPER_LABELS[paper.name],
                    )
                )
            )
    return problems
