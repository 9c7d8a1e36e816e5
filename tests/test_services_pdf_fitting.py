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
        patched.setattr(fitting, "known_fit", lambda *args: None)
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
        fitting._fit_block.cache_clear()
        quick = fit_one(lines, paper, lang)
        laid_out = _laid_out(fit_one, lines, paper, lang, monkeypatch)
        # The same setting; a block that fits is said to, with a line count no smaller than
        # its real one (only a misfit's count is shown to anyone, and it is laid out).
        assert _setting(quick) == _setting(laid_out), (lines, lang)
        assert quick.lines == laid_out.lines if not quick.fits else quick.lines >= laid_out.lines
        sizes = (
            fitting.SENDER_SIZES[paper.name] if fit_one is fit_sender else fitting.RECIPIENT_SIZES
        )
        zone = paper.return_address if fit_one is fit_sender else paper.recipient
        shortcuts += any(
            fitting.known_fit(lines, zone, size, joined, lang) is not None
            for size in sizes
            for joined in (False, True)
        )
    # The comparison means something only if the shortcut is taken often, and not always.
    assert 10 <= shortcuts < len(cases), (shortcuts, len(cases))


def _setting(fit):
    return (fit.size_pt, fit.joined, fit.fits, fit.max_lines, fit.zone_width, fit.zone_height)


def _random_lines(seed: int, count: int) -> list[tuple[list[str], str]]:
    """Address-like blocks from a fixed seed: Latin-1 words of every width, CJK runs."""
    import random

    chance = random.Random(seed)
    latin = "aeinorstlWMmwÆÅÑÇÉßøijf0123456789,.-/'&()#"
    blocks = []
    for n in range(count):
        cjk = n % 3 == 0
        lines = []
        for _ in range(chance.randint(1, 6)):
            if cjk:
                line = "".join(
                    chr(chance.randint(0x4E00, 0x9FA5)) for _ in range(chance.randint(1, 40))
                )
                line += chance.choice(["", " 88号", " Road 12", "（东门）"])
            else:
                words = ["".join(chance.choice(latin) for _ in range(chance.randint(1, 14)))
                         for _ in range(chance.randint(1, 8))]  # fmt: skip
                line = " ".join(words)
            lines.append(line)
        blocks.append((lines, "zh-CN" if cjk else "en"))
    return blocks


def test_the_wrapping_bounds_hold_the_real_layouts_line_counts():
    """Every block, one line apiece and joined, at every size and zone width: the layout's
    line count lies between the bounds (advances.line_bounds), so known_fit answers as the
    layout does."""
    from actionapp.printing.pdf.advances import font_advances, line_bounds

    cases = [(lines, lang) for lines, lang in _sender_cases()] + _random_lines(7, 50)
    widths = sorted({p.recipient.width for p in PAPERS.values()})
    trials, checked = [], []
    for lines, lang in cases:
        family, chars = fitting._FIRST_FONT_CHARS["zh-CN" if lang == "zh-CN" else ""]
        if not all(chars.fullmatch(line) for line in lines):
            continue
        advances = font_advances(family)
        assert advances is not None, family
        for size in (6.0, 8.0, 10.0):
            for width in widths:
                for joined in (False, True):
                    zone = fitting.Rect(0, 0, width, 500)
                    trials.append(fitting._trial_block(lines, zone, size, joined, lang))
                    paragraphs = [fitting.SEPARATOR.join(lines)] if joined else lines
                    checked.append((lines, size, width, joined,
                                    line_bounds(paragraphs, advances, size, width)))  # fmt: skip
    # In batches: one document per batch, each on one (tall) page.
    measured = [
        found for start in range(0, len(trials), 60)
        for found in fitting._lay_out(tuple(trials[start : start + 60]))
    ]  # fmt: skip
    assert len(measured) == len(checked) > 1000
    tight = 0
    for (count, _height), (lines, size, width, joined, bounds) in zip(
        measured, checked, strict=True
    ):
        fewest, most = bounds
        assert fewest <= count <= most, (lines, size, width, joined, bounds, count)
        tight += most == count
    # Bounds that always said "lay it out" would hold trivially: most are exact (the random
    # blocks' long words and CJK punctuation leave the rest to the layout).
    assert tight > 0.6 * len(checked), (tight, len(checked))
