"""Address blocks known to fit without a layout are set exactly as the layout would set them."""

from __future__ import annotations

import pytest

from actionapp.printing.pdf import fitting
from actionapp.printing.pdf.fitting import fit_recipient, fit_sender
from actionapp.printing.pdf.layout import return_lines, supporter_lang, window_lines
from actionapp.printing.pdf.paper import PAPERS
from tests.realworld import supporters, targets

# Lines near the shortcut's bound: the widest Latin-1 and CJK characters, and everyday ones.
EDGE_LINES = [["W" * n, "12 Park Road", "Leeds", "United Kingdom"] for n in range(18, 41)] + [
    ["Ana Example", "@" * 31, "Porto", "Portugal"],
    ["Ana Example", "ÆÅÑÇÉ" * 5, "Porto", "Portugal"],
    ["Ana Example", "Rua das Flores 12, 3.º Esq.", "4050-262 Porto", "Portugal"],
    ["王小明", "北京市朝阳区建国路" * 2, "北京", "中国"],
    ["王小明", "中" * 33, "北京", "中国"],
    ["Wang Xiaoming", "Jianguo Road 88", "Beijing", "中国"],
    ["Jane Doe", "1 High Street", "Leeds", "United Kingdom"],
    ["Jane Doe", "Flat 2", "1 High Street", "Leeds", "United Kingdom"],
    ["Jane Doe", "Flat 2", "1 High Street", "Leeds"],
    ["Jane Doe", "Leeds"],
]


def _sender_cases() -> list[tuple[list[str], str]]:
    cases = []
    for person in supporters():
        for language in ("en", "zh"):
            lines = return_lines(
                person["name"], person["street"], person["city"], person["country"], language
            )
            if lines:
                cases.append((lines, supporter_lang(" ".join(lines), language)))
    for lines in EDGE_LINES:
        for language in ("en", "zh"):
            cases.append((lines, supporter_lang(" ".join(lines), language)))
    return cases


def _laid_out(fit_one, lines, paper, lang, monkeypatch):
    """Fit with the layout alone (the shortcut off), remembering nothing between the two."""
    fitting._fit_block.cache_clear()
    with monkeypatch.context() as patched:
        patched.setattr(fitting, "surely_fits", lambda *args: False)
        laid_out = fit_one(lines, paper, lang)
    fitting._fit_block.cache_clear()
    return laid_out


@pytest.mark.parametrize("paper", list(PAPERS.values()), ids=lambda p: p.name)
def test_a_block_known_to_fit_is_set_as_the_layout_sets_it(paper, monkeypatch):
    shortcuts = 0
    cases = [(fit_sender, lines, lang) for lines, lang in _sender_cases()]
    for target in targets():
        lines = window_lines(
            target["name"], target.get("organisation", ""), target["address"].splitlines()
        )
        cases.append((fit_recipient, lines, "zh-CN" if target["language"] == "zh" else "en"))
    for fit_one, lines, lang in cases:
        quick = fit_one(lines, paper, lang)
        assert quick == _laid_out(fit_one, lines, paper, lang, monkeypatch), (lines, lang)
        sizes = (
            fitting.SENDER_SIZES[paper.name] if fit_one is fit_sender else fitting.RECIPIENT_SIZES
        )
        zone = paper.return_address if fit_one is fit_sender else paper.recipient
        shortcuts += any(fitting.surely_fits(lines, zone, size, lang) for size in sizes)
    # The comparison means something only if the shortcut is taken often, and not always.
    assert 10 <= shortcuts < len(cases), (shortcuts, len(cases))
