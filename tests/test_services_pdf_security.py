"""WeasyPrint fetches nothing and embeds nothing it is not meant to."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from weasyprint.urls import URLFetchingError, fetch

from actionapp.models import utcnow
from actionapp.printing.pdf import LetterOptions, PrintSettings, letters_pdf
from actionapp.printing.pdf.engine import PdfEngine
from actionapp.printing.pdf.fetcher import FetchRefusedError, PrintAssetFetcher
from tests.builders import make_chinese_case
from tests.fixtures_print import make_submission, qpdf_check, read_pdf, uncompressed

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "static" / "print"
PASSWD = Path("/etc/passwd")
# A line every /etc/passwd has; its bytes must never appear in a PDF.
PASSWD_MARK = b"root:x:0:0"


def hostile_markup(url: str) -> str:
    """Markup that would fetch or embed things through every route WeasyPrint follows."""
    return f"""
<img src="file:///etc/passwd">
<link rel="attachment" href="file:///etc/passwd" title="passwd">
<a rel="attachment" href="file:///etc/passwd">passwd</a>
<link rel="stylesheet" href="{url}/linked.css">
<style>
  @import url("{url}/imported.css");
  @import "file:///etc/passwd";
  @font-face {{ font-family: Trap; src: url("{url}/font.woff2"); }}
  body {{ background: url("{url}/background.png"); font-family: Trap; }}
  p::after {{ content: url("{url}/after.png"); }}
</style>
<img src="{url}/image.png">
<object data="{url}/object.svg"></object>
<embed src="{url}/embed.svg">
<iframe src="{url}/frame.html"></iframe>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
  <image href="{url}/svg-image.png" width="10" height="10"/>
  <image xlink:href="file:///etc/passwd" width="10" height="10"/>
</svg>
<img src="file://{ASSETS}/../../pyproject.toml">
<img src="http://localhost:{url.rsplit(":", 1)[1]}/localhost.png">
"""


def test_fetcher_serves_print_assets_and_data_urls():
    fetcher = PrintAssetFetcher(ASSETS)
    css = fetcher.fetch((ASSETS / "letter.css").as_uri())
    assert b".letterhead" in css.read()
    assert css.content_type == "text/css"
    data = fetcher.fetch("data:text/plain;base64,aGVsbG8=")
    assert data.read() == b"hello"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        f"file://{ASSETS}/../../pyproject.toml",
        f"file://{ASSETS}/%2e%2e/%2e%2e/pyproject.toml",
        f"file://example.org{ASSETS}/letter.css",
        f"file://{ASSETS}/no-such-file.css",
        "https://example.org/a.css",
        "ftp://example.org/a.css",
        "gopher://example.org/",
        "javascript:alert(1)",
    ],
)
def test_fetcher_refuses_everything_else(url):
    with pytest.raises(FetchRefusedError):
        PrintAssetFetcher(ASSETS).fetch(url)


def test_fetcher_refuses_a_symlink_out_of_the_folder(tmp_path):
    (tmp_path / "print").mkdir()
    os.symlink(PASSWD, tmp_path / "print" / "innocent.css")
    with pytest.raises(FetchRefusedError):
        PrintAssetFetcher(tmp_path / "print").fetch((tmp_path / "print" / "innocent.css").as_uri())


def test_fetcher_opens_no_connection_to_a_local_server(trap_server):
    fetcher = PrintAssetFetcher(ASSETS)
    for path in ("/a.css", "/redirect"):
        with pytest.raises(FetchRefusedError):
            fetcher.fetch(trap_server.url + path)
        # The way WeasyPrint calls it: refused, reported as a fetching error, nothing fatal.
        with pytest.raises(URLFetchingError), fetch(fetcher, trap_server.url + path):
            pass
    assert trap_server.requests == []


def test_hostile_markup_rendered_directly_fetches_and_embeds_nothing(trap_server):
    # Our templates never produce such markup; the engine must hold even if one did.
    engine = PdfEngine(ASSETS)
    html = f"<html lang=en><title>t</title><body><p>Hello</p>{hostile_markup(trap_server.url)}"
    pdf = engine.render(html, [], timeout=20)
    assert trap_server.requests == []
    assert PASSWD_MARK not in uncompressed(pdf.data)
    read = read_pdf(pdf.data)
    assert read.reader.attachments == {}
    assert "/EmbeddedFiles" not in str(read.reader.trailer["/Root"])
    assert qpdf_check(pdf.data).returncode == 0


def test_hostile_supporter_text_is_printed_as_text(app, trap_server):
    # Letters in two languages, so that the translations print too.
    action = make_chinese_case()
    markup = hostile_markup(trap_server.url)
    submission = make_submission(
        action,
        name='Jane <img src="file:///etc/passwd">',
        city='Leeds<link rel="attachment" href="file:///etc/passwd">',
        street_address=f'<style>@import url("{trap_server.url}/s.css")</style>',
        personal_message=markup[:1400],
    )
    settings = PrintSettings.from_config(app.config, app.static_folder)
    with app.test_request_context():
        pdf = letters_pdf(submission, settings, LetterOptions(translation=True), utcnow())
    assert trap_server.requests == []
    assert PASSWD_MARK not in uncompressed(pdf.data)
    read = read_pdf(pdf.data)
    assert read.reader.attachments == {}
    text = "\n".join(read.texts)
    # The supporter's words arrive as they typed them: visible text, not markup.
    assert '<img src="file:///etc/passwd">' in text
    assert "@import url(" in text
    assert qpdf_check(pdf.data).returncode == 0
