"""Every real-world supporter and target prints inside paper and window, or is refused.

PDFs are read back with pdfplumber (character boxes in mm): the return address inside its
zone, the recipient inside the window with clear space, every character inside the text area
of the paper, right-to-left text set right to left.
"""

from __future__ import annotations

import io
import re
from collections import Counter

import pdfplumber
import pytest

from actionapp.extensions import db
from actionapp.letters.record import letter_as_sent
from actionapp.models import Target, TargetKind, utcnow
from actionapp.printing.pdf import (
    ENVELOPES,
    LetterOptions,
    PrintSettings,
    envelopes_pdf,
    letters_pdf,
)
from actionapp.printing.pdf.checks import recipient_problems, sender_problem
from actionapp.printing.pdf.fonts import undrawable
from actionapp.printing.pdf.layout import recipient_lines, return_lines
from actionapp.printing.pdf.paper import A4, CLEAR_SPACE, PAPERS, PaperLayout, Rect
from actionapp.printing.pdf.scripts import FSI, PDI
from tests.builders import make_chinese_case
from tests.fixtures_print import MM_PER_PT, make_submission, pdffonts
from tests.realworld import supporters, targets

SUPPORTERS = supporters()
TARGETS = targets()
INVISIBLE = re.compile(r"[\s\u00b7\u2066-\u2069\u200e\u200f\ufe0f]")


def _letters_for(person: dict) -> list[str]:
    return ["en", "zh"]


@pytest.fixture(scope="module")
def printed(print_app):
    """Render every accepted supporter on both papers, and a letter to every accepted target."""
    out: dict = {"supporters": {}, "targets": {}, "refused": {}, "envelopes": {}}
    with print_app.test_request_context():
        now = utcnow()
        # Two targets in China written to in Chinese; embassy copies for many countries.
        action = make_chinese_case(now=now, embassies=("GB", "US", "DE", "FR", "AU", "CA", "NL"))
        settings = PrintSettings.from_config(print_app.config, print_app.static_folder)
        primary = [t.id for t in action.targets if t.kind == TargetKind.PRIMARY]
        for n, person in enumerate(SUPPORTERS):
            typed = " ".join([person["name"], person["street"], person["city"]])
            missing = undrawable(typed + person.get("message", ""))
            problem = sender_problem(
                person["name"],
                person["street"],
                person["city"],
                person["country"],
                ["en", "zh"],
                person["language"],
            )
            if missing:
                out["refused"][n] = f"cannot be printed: {' '.join(missing)}"
                continue
            if problem:
                out["refused"][n] = problem
                continue
            submission = make_submission(
                action,
                now,
                name=person["name"],
                street_address=person["street"],
                city=person["city"],
                country=person["country"],
                language=person["language"],
                personal_message=person.get("message", ""),
                target_ids=primary[:1],
            )
            for size in ENVELOPES:
                out["envelopes"][(n, size)] = envelopes_pdf(submission, settings, size, now).data
            for paper in PAPERS:
                pdf = letters_pdf(
                    submission, settings, LetterOptions(paper=paper, guide=False), now
                )
                letter = submission.letters[0]
                out["supporters"][(n, paper)] = {
                    "pdf": pdf.data,
                    "sender": return_lines(
                        submission.name,
                        submission.street_address,
                        submission.city,
                        submission.country,
                        letter.language,
                    ),
                    "recipient": recipient_lines(letter.target),
                }
        for n, official in enumerate(TARGETS):
            problems = recipient_problems(
                official["name"],
                official["organisation"],
                official["address"],
                official["language"],
            )
            out["refused_targets"] = out.get("refused_targets", {})
            if problems:
                out["refused_targets"][n] = problems
                continue
            target = Target(
                kind=TargetKind.PRIMARY,
                name=official["name"],
                organisation=official["organisation"],
                address_lines=official["address"],
                country=official["country"],
                language=official["language"],
                salutations={official["language"]: official["salutation"]},
                position=len(action.targets),
            )
            action.targets.append(target)
            db.session.flush()
            submission = make_submission(action, now, target_ids=[target.id])
            for paper in PAPERS:
                pdf = letters_pdf(
                    submission, settings, LetterOptions(paper=paper, guide=False), now
                )
                out["targets"][(n, paper)] = {
                    "pdf": pdf.data,
                    "recipient": recipient_lines(target),
                    "sender": return_lines(
                        submission.name,
                        submission.street_address,
                        submission.city,
                        submission.country,
                        submission.letters[0].language,
                    ),
                }
        db.session.commit()
    return out


def _chars(data: bytes, page: int = 0) -> list[dict]:
    """Return the page's characters, boxes in mm from the top-left corner."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [
            {
                "text": c["text"],
                "x0": c["x0"] * MM_PER_PT,
                "x1": c["x1"] * MM_PER_PT,
                "top": c["top"] * MM_PER_PT,
                "bottom": c["bottom"] * MM_PER_PT,
            }
            for c in pdf.pages[page].chars
        ]


def _inside(rect: Rect, c: dict, slack: float = 0.3) -> bool:
    # pdfplumber's boxes span the font's ascent and descent (CJK fonts reach 0.3 em beyond
    # the line box): a character is inside when its middle line is, and its sides are.
    middle = (c["top"] + c["bottom"]) / 2
    return (
        c["x0"] >= rect.x - slack
        and c["x1"] <= rect.right + slack
        and rect.y <= middle <= rect.bottom
    )


def _letters(text: str) -> Counter:
    return Counter(INVISIBLE.sub("", text))


def _check_first_page(case: dict, paper: PaperLayout) -> None:
    chars = _chars(case["pdf"])
    # Nothing beyond the text area's left and right edges (long words wrap).
    for c in chars:
        assert c["x0"] >= paper.margin_left - 0.5, c
        assert c["x1"] <= paper.width - paper.margin_right + 0.5, c
        assert c["top"] >= 0 and c["bottom"] <= paper.height, c
    # Whatever the window can show is the recipient (and, in DIN 5008, the return address).
    in_reach = [
        c for c in chars if paper.window_reach.overlaps(c["x0"], c["top"], c["x1"], c["bottom"])
    ]
    recipient = [c for c in in_reach if _inside(paper.recipient, c)]
    sender_zone = paper.return_address
    sender = [c for c in chars if _inside(sender_zone, c) and not _inside(paper.recipient, c)]
    stray = [c["text"] for c in in_reach if c not in recipient and c not in sender]
    assert not stray, f"text in the window's reach outside both address zones: {stray}"
    safe = paper.window_always.shrink(CLEAR_SPACE)
    assert all(_inside(safe, c, slack=0.1) for c in recipient)
    assert all(c["top"] >= safe.y - 0.5 and c["bottom"] <= safe.bottom + 0.5 for c in recipient)
    # Every character of the recipient's lines is there: none cut, none outside the window.
    assert _letters("".join(c["text"] for c in recipient)) == _letters("".join(case["recipient"]))
    if case["sender"]:
        assert _letters("".join(c["text"] for c in sender)) == _letters("".join(case["sender"]))


@pytest.mark.parametrize("paper", sorted(PAPERS))
@pytest.mark.parametrize("n", range(len(SUPPORTERS)), ids=[p["why"][:40] for p in SUPPORTERS])
def test_every_supporter_prints_inside_paper_and_zones_or_is_refused(printed, n, paper):
    if n in printed["refused"]:
        message = printed["refused"][n]
        assert re.search(r"needs \d+ lines on .+ at most \d+ fit|cannot be printed: .", message)
        return
    _check_first_page(printed["supporters"][(n, paper)], PAPERS[paper])


@pytest.mark.parametrize("paper", sorted(PAPERS))
@pytest.mark.parametrize("n", range(len(TARGETS)), ids=[t["why"][:40] for t in TARGETS])
def test_every_target_prints_inside_the_window_or_is_refused(printed, n, paper):
    if n in printed["refused_targets"]:
        for problem in printed["refused_targets"][n]:
            assert re.search(
                r"need \d+ lines at [\d.]+ pt in the \d+ mm wide window; at most \d+", problem
            )
        return
    _check_first_page(printed["targets"][(n, paper)], PAPERS[paper])


def test_the_long_german_address_and_the_eight_line_official_are_refused(printed):
    german = next(n for n, p in enumerate(SUPPORTERS) if p["country"] == "DE" and p["street"])
    assert german in printed["refused"]
    eight = next(n for n, t in enumerate(TARGETS) if t["address"].count("\n") >= 7)
    problems = printed["refused_targets"][eight]
    assert len(problems) == 2  # A4 and US Letter both
    assert "A4" in problems[0] and "US Letter" in problems[1]


def _supporter(why_part: str) -> int:
    return next(n for n, p in enumerate(SUPPORTERS) if why_part in p["why"])


@pytest.mark.parametrize("paper", sorted(PAPERS))
def test_arabic_paragraph_is_set_right_to_left(printed, paper):
    case = printed["supporters"][(_supporter("Arabic name"), paper)]
    layout = PAPERS[paper]
    chars = [c for c in _chars(case["pdf"]) if c["top"] > layout.body_top]
    message = SUPPORTERS[_supporter("Arabic name")]["message"]
    assert message.endswith("!") and "2015" in message
    mark = next(c for c in chars if c["text"] == "!")
    line = sorted((c for c in chars if abs(c["top"] - mark["top"]) < 1.5), key=lambda c: c["x0"])
    # Aligned to the right edge of the text, and its closing "!" at its left end.
    assert line[-1]["x1"] == pytest.approx(layout.width - layout.margin_right, abs=1.0)
    assert line[0]["text"] == "!"
    # The Latin digits read 2015 from left to right inside the Arabic line.
    assert "2015" in "".join(c["text"] for c in line if c["text"].isdigit())


def test_supporter_texts_carry_their_direction_and_only_a_known_language(print_app):
    from flask import render_template

    from actionapp.printing.pdf.documents import printed_letter

    with print_app.test_request_context():
        now = utcnow()
        action = make_chinese_case(now=now)
        person = SUPPORTERS[_supporter("Arabic name")]
        submission = make_submission(
            action, now, name=person["name"], street_address=person["street"],
            city=person["city"], country=person["country"], personal_message=person["message"],
        )  # fmt: skip
        letter = printed_letter(letter_as_sent(submission.letters[0]), submission, A4)
        assert letter.personal_lang == ""  # typed in Arabic by someone writing in English
        assert letter.personal_dir == "rtl"
        html = render_template(
            "letters/letters.html", lang="en", title="t", author="a", letters=[letter],
            paper=A4, action=action, state=None, postage=[], guide=False, posted_url=None,
            translations=[], cjk_missing=False, cjk_message="", envelope=None,
        )  # fmt: skip
        assert 'class="text personal" lang="" dir="rtl"' in html
        assert re.search(r'class="signature-name" dir="rtl"', html)
        # Joined or not, each return-address piece keeps its own direction.
        sender = re.search(
            r'<div class="address-block return-address[^"]*"[^>]*dir="rtl"[^>]*>(.*?)</div>', html
        )
        assert sender, html
        pieces = re.findall(r'<span class="line"[^>]*>(.*?)</span>', sender.group(1))
        assert len(pieces) == 4
        assert all(p.startswith(FSI) and p.endswith(PDI) for p in pieces) or all(
            FSI not in p for p in pieces
        )
        db.session.rollback()


def test_no_stray_lang_in_fonts_everything_embedded(printed):
    for case in list(printed["supporters"].values())[:4]:
        fonts = pdffonts(case["pdf"])
        assert fonts and all(f["emb"] == "yes" for f in fonts)


@pytest.mark.parametrize("paper", sorted(PAPERS))
def test_emoji_print_in_colour_and_the_text_layer_reads_back_what_was_typed(printed, paper):
    n = _supporter("Emoji")
    person = SUPPORTERS[n]
    data = printed["supporters"][(n, paper)]["pdf"]
    assert any("Noto-Color-Emoji" in f["name"] for f in pdffonts(data))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "".join(page.extract_text() for page in pdf.pages)
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", person["name"]) in flat
    assert re.sub(r"\s+", "", person["message"]) in flat


@pytest.mark.parametrize("paper", sorted(PAPERS))
def test_amharic_prints_in_an_embedded_ethiopic_font_and_reads_back(printed, paper):
    """Ethiopic is accepted because an installed font draws it (fonts-noto-core), and does."""
    n = _supporter("Amharic")
    person = SUPPORTERS[n]
    data = printed["supporters"][(n, paper)]["pdf"]
    assert any("Ethiopic" in f["name"] and f["emb"] == "yes" for f in pdffonts(data))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        flat = re.sub(r"\s+", "", "".join(page.extract_text() for page in pdf.pages))
    assert re.sub(r"\s+", "", person["name"]) in flat
    assert re.sub(r"\s+", "", person["message"]) in flat


@pytest.mark.parametrize("size", sorted(ENVELOPES))
def test_every_accepted_supporters_envelope_keeps_its_text_on_the_envelope(printed, size):
    envelope = ENVELOPES[size]
    cases = {n: data for (n, s), data in printed["envelopes"].items() if s == size}
    assert len(cases) == len(SUPPORTERS) - len(printed["refused"])
    for n, data in cases.items():
        for c in _chars(data):
            assert c["x0"] >= 5 and c["x1"] <= envelope.width - 5, (SUPPORTERS[n]["why"], c)
            assert c["top"] >= 5 and c["bottom"] <= envelope.height - 3, (SUPPORTERS[n]["why"], c)
            # The return address (top left, 85 mm wide from x 10) wraps inside its box.
            if c["top"] < 34 and c["x0"] < 95:
                assert c["x1"] <= 95.5, (SUPPORTERS[n]["why"], c)
