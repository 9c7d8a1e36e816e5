"""The guide page's short code and QR code lead a phone to the "I posted it" page."""

from __future__ import annotations

import io
import re

import pdfplumber
import pytest
import segno
from sqlalchemy import select

from actionapp.extensions import db
from actionapp.models import Submission
from actionapp.printing.posted_codes import code_matches, posted_code, read_posted_code
from tests.fixtures_print import MM_PER_PT


def _token(response) -> str:
    return response.headers["Location"].rsplit("/", 1)[-1]


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_guide_page_prints_a_short_code_and_its_qr_code(client, action, post_letter, paper):
    token = _token(post_letter(action, channel="print"))
    data = client.get(f"/actions/{action.slug}/print/{token}/letters.pdf?paper={paper}").data
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        guide = pdf.pages[-1]
        text = guide.extract_text()
        url = re.search(r"(http://\S+/p/([0-9A-Z-]+))", text)
        assert url, text
        code = url.group(2)
        assert f"Your code: {code}" in text
        assert len(code.replace("-", "")) <= 14  # typed by hand in a few seconds
        box = guide.search("When you have posted")[0]
        runs = [
            line
            for line in guide.lines
            if line["top"] == line["bottom"] and box["top"] - 20 < line["top"] < box["top"] + 120
        ]
    # The QR code is drawn as vector runs of dark modules (segno's SVG): read its modules back
    # from the PDF and compare them with the QR code of the printed address.
    expected = segno.make(url.group(1), error="m", micro=False).matrix
    size = len(expected)
    module = runs[0]["linewidth"]
    left, top = min(r["x0"] for r in runs), min(r["top"] for r in runs)
    dark = set()
    for run in runs:
        row = round((run["top"] - top) / module)
        first, last = round((run["x0"] - left) / module), round((run["x1"] - left) / module)
        dark.update((row, col) for col in range(first, last))
    wanted = {(r, c) for r in range(size) for c in range(size) if expected[r][c]}
    assert dark == wanted
    assert size * module * MM_PER_PT >= 20  # big enough for a phone's camera
    response = client.get(f"/p/{code}")
    assert response.headers["Location"] == f"/actions/{action.slug}/posted/{token}"


def test_codes_read_as_people_type_them_and_wrong_ones_are_not_found(
    app, client, action, post_letter
):
    token = _token(post_letter(action, channel="print"))
    submission = db.session.scalar(select(Submission).where(Submission.public_token == token))
    code = posted_code(app.config["SECRET_KEY"], submission.id, token)
    posted = f"/actions/{action.slug}/posted/{token}"
    for typed in (code, code.lower(), code.replace("-", " "), code.replace("1", "l")):
        assert client.get(f"/p/{typed}").headers.get("Location") == posted, typed
    # One character off, another submission's id with this tag, nonsense: not found.
    last = code[-1]
    wrong = code[:-1] + ("0" if last != "0" else "1")
    assert client.get(f"/p/{wrong}").status_code == 404
    number, tag = read_posted_code(code)
    assert not code_matches(app.config["SECRET_KEY"], number + 1, token, tag)
    assert client.get("/p/not-a-code!").status_code == 404
    assert client.get("/p/1").status_code == 404


def test_short_codes_are_rate_limited_per_address(make_app, action):
    app = make_app(RATELIMIT_ENABLED=True, POSTED_CODE_RATE_LIMIT="3 per minute")
    client = app.test_client()
    answers = [client.get("/p/1-AAAA-AAAA").status_code for _ in range(5)]
    assert answers[:3] == [404, 404, 404] and answers[3:] == [429, 429]
