"""What the forms ask before they accept an address: does it print inside its zone?

Each check measures with fitting.py, the same layout the PDFs use, on every paper size.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from actionapp.services.pdf.fitting import BlockFit, fit_recipient, fit_sender
from actionapp.services.pdf.layout import html_lang, return_lines, text_lang, window_lines
from actionapp.services.pdf.paper import PAPERS, PaperLayout

PAPER_LABELS = {"a4": _l("A4"), "letter": _l("US Letter")}


def sender_fits(
    name: str, street_address: str, city: str, country: str, languages: list[str]
) -> list[tuple[PaperLayout, BlockFit]]:
    """Return (paper, fit) wherever the return address does not fit, for each letter language."""
    misfits = []
    for paper in PAPERS.values():
        for language in languages or ["en"]:
            lines = return_lines(name, street_address, city, country, language)
            if not lines:
                return []
            fit = fit_sender(lines, paper, text_lang(" ".join(lines), language))
            if not fit.fits:
                misfits.append((paper, fit))
                break
    return misfits


def sender_problem(
    name: str, street_address: str, city: str, country: str, languages: list[str]
) -> str | None:
    """Return why the return address cannot be printed (lines needed, lines that fit), or None."""
    misfits = sender_fits(name, street_address, city, country, languages)
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
