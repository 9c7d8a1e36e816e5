"""Printed letters read back: pages, text, the window, fonts, metadata, qpdf."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from actionapp.models import utcnow
from actionapp.printing.pdf import (
    EventPack,
    LetterOptions,
    PrintSettings,
    envelopes_pdf,
    event_pack_pdf,
    letters_pdf,
)
from actionapp.printing.pdf.layout import recipient_lines, return_lines
from actionapp.printing.pdf.paper import A4, CLEAR_SPACE, LETTER, PaperLayout
from tests.builders import (
    embassy_fields,
    letter_fields,
    make_action,
    prosecutor_fields,
    zh_target_fields,
)
from tests.fixtures_print import make_submission, pdffonts, pdfinfo, qpdf_check, read_pdf

POSTED_URL = "https://letters.example.org/actions/demo/posted/TOKEN"


def _case(now):
    """Two targets in China written to in Chinese; embassy copies for four countries."""
    return make_action(
        now=now,
        targets=[
            zh_target_fields("Judge Li"),
            prosecutor_fields(),
            embassy_fields("GB", address_lines="12 Embassy Gardens\nLondon W1B 1JL"),
            embassy_fields("US", address_lines="1 Embassy Row NW\nWashington, DC 20008"),
            embassy_fields("DE", address_lines="Botschaftsweg 1\n10179 Berlin"),
            embassy_fields("CA", address_lines="1 Embassy Street\nOttawa ON  K1N 5H3"),
        ],
        letters=[letter_fields("en"), letter_fields("zh")],
    )


@pytest.fixture(scope="module")
def rendered(print_app):
    """Render every document these tests read, once: a case in English and Chinese, on A4
    and Letter, a long letter, the envelopes and an event pack."""
    from actionapp.extensions import db

    out = {}
    with print_app.test_request_context():
        now = utcnow()
        action = _case(now)
        cases = {
            "en-a4": {},
            "zh-a4": {
                "country": "DE",
                "language": "zh",
                "city": "柏林",
                "personal_message": "我是一名教师，我关心言论自由。",
            },
            "en-letter": {"country": "US", "city": "Springfield"},
            "zh-letter": {"country": "CA", "language": "zh", "city": "多伦多"},
        }
        submissions = {
            name: make_submission(action, now, **fields) for name, fields in cases.items()
        }
        long = make_submission(
            action,
            now,
            edited_body="I write to you about Ana.\n\n"
            + "\n\n".join(["Please release them. " * 30] * 5),
            personal_message="I care. " * 180,
        )
        db.session.commit()
        settings = PrintSettings.from_config(print_app.config, print_app.static_folder)
        options = LetterOptions(translation=True, posted_url=POSTED_URL)
        for name, submission in submissions.items():
            out[name] = {
                "pdf": letters_pdf(submission, settings, options, now).data,
                "letters": [
                    {
                        "recipient": recipient_lines(letter.target),
                        "sender": return_lines(
                            submission.name,
                            submission.street_address,
                            submission.city,
                            submission.country,
                            letter.language,
                        ),
                        "language": letter.language,
                        "subject": letter.subject,
                        "salutation": letter.salutation,
                    }
                    for letter in submission.letters
                ],
            }
        out["bare"] = letters_pdf(
            submissions["en-a4"], settings, LetterOptions(guide=False), now
        ).data
        out["long"] = letters_pdf(long, settings, LetterOptions(guide=False), now).data
        for size in ("dl", "c5", "no10"):
            out[f"env-{size}"] = envelopes_pdf(submissions["en-a4"], settings, size, now).data
        targets = [t.id for t in action.targets if t.kind == "primary"]
        out["pack"] = event_pack_pdf(
            action,
            settings,
            EventPack(
                language="en", variant="release", paper="letter", target_ids=targets, copies=3
            ),
            now,
        ).data
        out["organisation"] = print_app.config["ORGANISATION_NAME"]
        out["action_title"] = action.title
        court = action.targets[0]
        out["court"] = [court.name, court.organisation, *court.address_lines.splitlines()]
    return out


def _doc(rendered, name):
    """Return a rendered PDF read back, parsing each one once per module."""
    parsed = rendered.setdefault("_parsed", {})
    if name not in parsed:
        data = rendered[name]["pdf"] if isinstance(rendered[name], dict) else rendered[name]
        parsed[name] = read_pdf(data)
    return parsed[name]


@pytest.mark.parametrize(
    ("name", "size"),
    [("en-a4", (210, 297)), ("zh-a4", (210, 297)), ("en-letter", (215.9, 279.4)),
     ("zh-letter", (215.9, 279.4))],
)  # fmt: skip
def test_paper_follows_the_supporters_country(rendered, name, size):
    pdf = _doc(rendered, name)
    for width, height in pdf.sizes:
        assert width == pytest.approx(size[0], abs=0.2)
        assert height == pytest.approx(size[1], abs=0.2)


def test_each_letter_starts_on_a_new_page_then_guide_then_translations(rendered):
    pdf = _doc(rendered, "en-a4")
    letters = rendered["en-a4"]["letters"]
    # Court and procuratorate in Chinese, embassy copy in English; a guide; two translations.
    assert pdf.pages == len(letters) + 1 + 2
    for page, letter in zip(pdf.texts, letters, strict=False):
        assert letter["salutation"] in page
        assert letter["recipient"][0].split()[0] in page
    embassy = pdf.texts[2]
    for expected in (
        "Your Excellency,",
        "I am writing to you from Leeds, United Kingdom",
        "I am a teacher and I care about free speech.",
        "Yours sincerely,",
        "Jane Doe",
        "Leeds, United Kingdom",
    ):
        assert expected in embassy, expected
    assert "Keep this page" in pdf.texts[3] and POSTED_URL in pdf.texts[3]
    assert "Translation for you" in pdf.texts[4] and "Translation for you" in pdf.texts[5]
    assert "I am writing to you from Leeds" in pdf.texts[4]
    for page in pdf.texts[:3]:
        assert "Translation" not in page and POSTED_URL not in page


def test_dates_in_the_letters_language_and_the_supporters_locale(rendered):
    from datetime import date

    from babel.dates import format_date

    today = date.today()
    en_gb = format_date(today, "long", locale="en_GB")
    en_us = format_date(today, "long", locale="en_US")
    zh = format_date(today, "long", locale="zh")
    assert en_gb in _doc(rendered, "en-a4").texts[2]
    assert en_us in _doc(rendered, "en-letter").texts[2]
    assert zh in _doc(rendered, "zh-a4").texts[0].replace(" ", "")


def test_chinese_letter_reads_in_chinese(rendered):
    pdf = _doc(rendered, "zh-a4")
    first = pdf.texts[0].replace(" ", "")
    assert "尊敬的李法官：" in first
    assert "我从柏林（德国）致信您" in first
    assert "我是一名教师，我关心言论自由。" in first
    assert "此致" in first and "敬礼！" in first


def _check_window(pdf, page: int, letter: dict, paper: PaperLayout) -> None:
    words = pdf.words[page]
    recipient = Counter(word for line in letter["recipient"] for word in line.split())
    sender = Counter(word for line in letter["sender"] for word in line.split())
    safe = paper.window_always.shrink(CLEAR_SPACE)
    inside = Counter(w.text for w in words if safe.contains(w.x0, w.top, w.x1, w.bottom))
    missing = recipient - inside
    assert not missing, f"recipient words outside the window's safe area: {missing}"
    allowed = set(recipient) | ({*sender, "·"} if paper.return_in_window else set())
    seen = [w for w in words if paper.window_reach.overlaps(w.x0, w.top, w.x1, w.bottom)]
    intruders = [w.text for w in seen if w.text not in allowed]
    assert not intruders, f"other text would show through the window: {intruders}"


@pytest.mark.parametrize(
    ("name", "paper"), [("en-a4", A4), ("zh-a4", A4), ("en-letter", LETTER), ("zh-letter", LETTER)]
)
def test_recipient_sits_in_the_window_with_clear_space(rendered, name, paper):
    pdf = _doc(rendered, name)
    for page, letter in enumerate(rendered[name]["letters"]):
        _check_window(pdf, page, letter, paper)


def test_return_address_above_the_recipient(rendered):
    for name, paper in (("en-a4", A4), ("en-letter", LETTER)):
        pdf = _doc(rendered, name)
        words = pdf.words[2]
        street = next(w for w in words if w.text == "Street")
        recipient_top = min(
            w.top for w in words if w.text == "Ambassador" and w.top > 40
        )  # the first recipient line
        assert street.bottom <= recipient_top
        assert street.bottom - street.top < 3.5  # small print
        if not paper.return_in_window:
            assert not paper.window_reach.overlaps(street.x0, street.top, street.x1, street.bottom)


def test_page_numbers_only_when_a_letter_runs_past_one_page(rendered):
    # Page numbers are written in each letter's language: "Page 2", or "第 2 页" in Chinese.
    page_number = re.compile(r"Page \d|第 \d 页")
    single = _doc(rendered, "bare")
    assert not any(page_number.search(text) for text in single.texts)
    long = _doc(rendered, "long")
    # The return address marks each letter's first page; the long letter runs on.
    first_pages = [i for i, text in enumerate(long.texts) if "1 High Street" in text]
    assert len(first_pages) == 3
    continuation = [i for i in range(long.pages) if i not in first_pages]
    assert continuation
    for index in continuation:
        text = long.texts[index]
        assert re.search(r"Page [23]|第 [23] 页", text), text
        assert "Jane Doe · " in text  # the running head: who writes to whom
        # Continuation pages keep clear of the window: nothing shows through it.
        for word in long.words[index]:
            assert not A4.window_reach.overlaps(word.x0, word.top, word.x1, word.bottom), word
    for index in first_pages:
        assert not page_number.search(long.texts[index])


def test_signature_room_and_sign_off_together(rendered):
    pdf = _doc(rendered, "en-a4")
    words = pdf.words[2]
    closing = next(w for w in words if w.text == "sincerely,")
    name = next(w for w in words if w.text == "Jane" and w.top > closing.top)
    assert name.top - closing.bottom >= 15  # room for a handwritten signature (mm)


def test_fonts_embedded_and_subset_chinese_with_noto_serif_cjk_sc(rendered):
    for name in ("en-a4", "zh-a4", "zh-letter", "env-dl", "pack"):
        data = rendered[name]["pdf"] if isinstance(rendered[name], dict) else rendered[name]
        fonts = pdffonts(data)
        assert fonts
        for font in fonts:
            assert font["emb"] == "yes" and font["sub"] == "yes", font["line"]
        if name != "pack":
            assert any("Noto-Serif-CJK-SC" in font["name"] for font in fonts), name


def test_metadata_title_author_language_and_tags(rendered):
    pdf = _doc(rendered, "zh-a4")
    meta = pdf.reader.metadata
    assert rendered["action_title"] in meta.title
    assert meta.author == rendered["organisation"]
    root = pdf.reader.trailer["/Root"]
    assert root["/Lang"] == "zh-CN"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert _doc(rendered, "en-a4").reader.trailer["/Root"]["/Lang"] == "en"
    info = pdfinfo(rendered["en-a4"]["pdf"])
    assert info["Tagged"] == "yes"
    assert info["PDF version"] == "1.7"


@pytest.mark.parametrize(
    "name", ["en-a4", "zh-a4", "en-letter", "zh-letter", "long", "env-dl", "env-c5", "env-no10",
             "pack"],
)  # fmt: skip
def test_every_pdf_is_clean_under_qpdf_and_has_no_attachments(rendered, name):
    data = rendered[name]["pdf"] if isinstance(rendered[name], dict) else rendered[name]
    check = qpdf_check(data)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors" in check.stdout
    pdf = _doc(rendered, name)
    assert pdf.reader.attachments == {}
    assert "/EmbeddedFiles" not in str(pdf.reader.trailer["/Root"])


@pytest.mark.parametrize(
    ("name", "size"), [("env-dl", (220, 110)), ("env-c5", (229, 162)), ("env-no10", (241.3, 104.8))]
)
def test_envelopes_print_the_address(rendered, name, size):
    pdf = _doc(rendered, name)
    assert pdf.pages == 3
    for width, height in pdf.sizes:
        assert (width, height) == (pytest.approx(size[0], abs=0.3), pytest.approx(size[1], abs=0.3))
    assert "Judge Li" in pdf.texts[0]
    assert "PAR AVION" in pdf.texts[0]  # to China from the UK: airmail
    assert "PAR AVION" not in pdf.texts[2]  # the embassy in London
    assert "1 High Street" in pdf.texts[2] and "12 Embassy Gardens" in pdf.texts[2]


def test_event_pack_repeats_letters_with_blank_lines_and_ends_with_the_addresses(rendered):
    pdf = _doc(rendered, "pack")
    assert pdf.pages == 2 * 3 + 1
    assert all(size == (pytest.approx(215.9, abs=0.2), pytest.approx(279.4, abs=0.2))
               for size in pdf.sizes)  # fmt: skip
    assert pdf.texts[0] == pdf.texts[1] == pdf.texts[2]
    assert pdf.texts[3] == pdf.texts[5] and pdf.texts[0] != pdf.texts[3]
    assert "I am writing to you from ____" in pdf.texts[0]
    assert "Dear Judge Li," in pdf.texts[0] and "Dear Prosecutor Chen," in pdf.texts[3]
    assert "Jane" not in pdf.texts[0]
    assert "Addresses for the envelopes" in pdf.texts[-1]
    assert pdf.texts[-1].count("3 letters in this pack") == 2
    _check_window(
        pdf,
        0,
        {"recipient": rendered["court"], "sender": []},
        LETTER,
    )
