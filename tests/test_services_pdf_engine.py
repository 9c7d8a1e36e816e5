"""The render engine: cache, time limit, size limits, missing fonts, geometry numbers."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from actionapp import create_app
from actionapp.extensions import db
from actionapp.models import utcnow
from actionapp.printing.pdf import (
    CJK_MISSING_MESSAGE,
    EVENT_PACK_MAX,
    DocumentTooLargeError,
    EventPack,
    LetterOptions,
    PrintSettings,
    RenderTimeoutError,
    documents,
    event_pack_pdf,
    fonts,
    letters_pdf,
)
from actionapp.printing.pdf.engine import PdfCache
from actionapp.printing.pdf.fitting import fit_recipient
from actionapp.printing.pdf.paper import (
    A4,
    CLEAR_SPACE,
    INCH,
    LETTER,
    choose_paper,
    paper_for_country,
)
from actionapp.printing.pdf.pool import renderer_for
from tests.builders import make_chinese_case
from tests.fixtures_print import make_submission, read_pdf


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


@pytest.fixture
def settings(app):
    """Print settings from the test app."""
    return PrintSettings.from_config(app.config, app.static_folder)


def test_repeated_render_comes_from_the_cache_and_changes_render_anew(app, action, settings):
    submission = make_submission(action)
    renderer_for(settings.assets_dir).cache.clear()
    now = utcnow()
    with app.test_request_context():
        first = letters_pdf(submission, settings, LetterOptions(), now)
        again = letters_pdf(submission, settings, LetterOptions(), now)
        letter = letters_pdf(submission, settings, LetterOptions(paper="letter"), now)
        # (A recorded letter's text does not change; the cache must still follow it.)
        submission.letters[0].personal_message = "Another paragraph."
        edited = letters_pdf(submission, settings, LetterOptions(), now)
    assert not first.from_cache and again.from_cache
    assert again.data == first.data and again.key == first.key
    assert not letter.from_cache and letter.key != first.key
    assert not edited.from_cache and edited.key != first.key


def test_cache_keeps_to_its_byte_limit_and_age():
    cache = PdfCache(max_bytes=10, max_age=3600)
    cache.put("a", b"12345", 1)
    cache.put("b", b"12345", 1)
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("c", b"12345", 1)
    assert cache.get("b") is None and cache.get("a") and cache.get("c")
    cache.put("huge", b"x" * 11, 1)
    assert cache.get("huge") is None
    stale = PdfCache(max_bytes=100, max_age=0)
    stale.put("a", b"1", 1)
    assert stale.get("a") is None


def test_a_render_past_its_time_limit_is_stopped(app, action, settings):
    submission = make_submission(action)
    renderer_for(settings.assets_dir).cache.clear()
    with app.test_request_context(), pytest.raises(RenderTimeoutError, match=r"stopped at|in time"):
        letters_pdf(submission, replace(settings, timeout=0), LetterOptions(), utcnow())
    # The next render, within its limit, works: the guard leaves no state behind.
    with app.test_request_context():
        assert letters_pdf(submission, settings, LetterOptions(), utcnow()).pages >= 1


def test_text_too_long_for_a_letter_is_refused_before_rendering(app, action, settings):
    submission = make_submission(action)
    submission.letters[0].personal_message = "x" * (documents.MAX_LETTER_CHARS + 1)
    with app.test_request_context(), pytest.raises(DocumentTooLargeError):
        letters_pdf(submission, settings, LetterOptions(), utcnow())


def test_event_pack_size_is_capped(app, action, settings):
    targets = [t.id for t in action.targets if t.kind == "primary"]
    pack = EventPack("en", "release", "a4", targets, copies=EVENT_PACK_MAX // 2 + 1)
    with app.test_request_context(), pytest.raises(DocumentTooLargeError):
        event_pack_pdf(action, settings, pack, utcnow())


def test_missing_cjk_font_shows_in_the_pdf_health_and_log(make_app, monkeypatch, caplog, action):
    monkeypatch.setattr(fonts, "font_family_installed", lambda family: False)
    with caplog.at_level(logging.WARNING):
        application = make_app()
    assert any(CJK_MISSING_MESSAGE in r.getMessage() for r in caplog.records)
    health = application.test_client().get("/health").get_json()
    assert health["cjk_font"] == "missing" and CJK_MISSING_MESSAGE in health["warnings"]
    settings = PrintSettings.from_config(application.config, application.static_folder)
    with application.app_context():
        submission = make_submission(action)
        with application.test_request_context():
            pdf = read_pdf(letters_pdf(submission, settings, LetterOptions(), utcnow()).data)
    text = "\n".join(pdf.texts).replace("\n", " ")
    assert "The Chinese font Noto Serif CJK SC is not installed" in text


def test_fonts_are_found_through_fontconfig():
    assert fonts.cjk_font_available()
    assert not fonts.font_family_installed("No Such Font Family Anywhere")
    assert fonts.has_cjk("广州") and not fonts.has_cjk("Guangzhou")


def test_health_says_the_cjk_font_is_there(client):
    assert client.get("/health").get_json()["cjk_font"] == "ok"


def test_create_app_says_nothing_when_fonts_are_there(database_url, caplog):
    with caplog.at_level(logging.WARNING):
        create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    assert not any("font" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("country", "paper"),
    [("US", LETTER), ("CA", LETTER), ("MX", LETTER), ("PH", LETTER), ("CL", LETTER),
     ("CO", LETTER), ("VE", LETTER), ("GB", A4), ("DE", A4), ("CN", A4), ("AU", A4), ("", A4)],
)  # fmt: skip
def test_paper_follows_the_country(country, paper):
    assert paper_for_country(country) is paper


def test_paper_choice_beats_the_composer_beats_the_country():
    assert choose_paper("a4", "letter", "US") is A4
    assert choose_paper(None, "a4", "US") is A4
    assert choose_paper("bogus", "", "US") is LETTER


def test_window_numbers_follow_from_the_envelopes():
    # DL (DIN 680): 110 x 220 mm, window 90 x 45, 20 from the left and 15 from the bottom. An A4
    # sheet folded at 105/210 is a 105 x 210 packet: 5 mm of play up and down, 10 sideways.
    window_top, window_left = 110 - 15 - 45, 20
    assert A4.window_always.y == window_top and A4.window_always.bottom == window_top + 45 - 5
    assert A4.window_always.x == window_left and A4.window_always.right == window_left + 90 - 10
    assert A4.window_reach.y == window_top - 5 and A4.window_reach.right == window_left + 90
    assert A4.folds == (105, 210) and A4.punch == 148.5
    # #10: 4 1/8 x 9 1/2 in, window 1 1/8 x 4 1/2 in, 7/8 in from the left, 1/2 in from the
    # bottom; a sheet tri-folded at 3 2/3 in resting on the bottom fold.
    top = (4.125 - 0.5 - 1.125 - (4.125 - 11 / 3)) * INCH
    assert LETTER.window_always.y == pytest.approx(top, abs=0.1)
    assert LETTER.window_always.x == pytest.approx(0.875 * INCH)
    assert LETTER.folds == pytest.approx((11 / 3 * INCH, 22 / 3 * INCH))
    for paper in (A4, LETTER):
        safe = paper.window_always.shrink(CLEAR_SPACE)
        block = paper.recipient
        assert safe.contains(block.x, block.y, block.right, block.bottom), paper.name
        assert paper.body_top >= paper.window_reach.bottom
        assert paper.continuation_top >= paper.window_reach.bottom
        assert paper.date.x >= paper.window_reach.right or paper.date.bottom <= paper.window_reach.y


def test_address_type_shrinks_to_fit_and_says_when_it_cannot():
    short = fit_recipient(["Embassy", "1 Street", "London"], A4, "en")
    assert short.size_pt == 10 and short.fits and short.lines == 3
    long = fit_recipient(
        ["A very long name of an official of a court " * 2, *["line"] * 4], A4, "en"
    )
    assert long.size_pt < 10 and long.fits
    impossible = fit_recipient(["line"] * 12, LETTER, "en")
    assert not impossible.fits and impossible.size_pt == 8
    assert impossible.lines == 12 and impossible.max_lines < 12


def test_waiting_for_a_busy_renderer_counts_against_the_limit():
    from pathlib import Path

    from actionapp.printing.pdf.engine import PdfEngine

    engine = PdfEngine(Path(__file__).resolve().parent.parent / "static" / "print")
    with engine._lock, pytest.raises(RenderTimeoutError, match="busy"):
        engine.render("<p>hello</p>", [], timeout=0.05)
    assert engine.render("<p>hello</p>", [], timeout=20).pages == 1
