"""The signature's place reads in the letter's direction, whatever script the town is in."""

from __future__ import annotations

import io
import re

import pdfplumber
import pytest
from sqlalchemy import select

from actionapp.extensions import db
from actionapp.models import Submission
from tests.builders import make_chinese_case
from tests.conftest import compose_data
from tests.realworld import supporters

# A right-to-left town writing to the demo's Chinese court (and the English embassy copy).
MIXED = [p for p in supporters() if "Arabic" in p["why"] or "Hebrew" in p["why"]]


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def _fields(person: dict) -> dict:
    return {
        "name": person["name"],
        "street_address": person["street"],
        "city": person["city"],
        "country": person["country"],
        "email": person["email"],
        "language": "en",
    }


@pytest.mark.parametrize("person", MIXED, ids=[p["name"] for p in MIXED])
def test_the_place_line_keeps_town_before_country_in_preview_and_pdf(
    client, action, post_letter, person
):
    data = compose_data(action, **_fields(person))
    preview = client.post(f"/actions/{action.slug}/preview", data=data).get_data(as_text=True)
    signatures = re.findall(r'<p class="letter-text signature" dir="(\w+)"><bdi>', preview)
    # Chinese and English letters: the line is left to right, the name isolated in <bdi>.
    assert signatures and set(signatures) == {"ltr"}

    response = post_letter(action, channel="print", **_fields(person))
    assert response.status_code == 303
    submission = db.session.scalars(select(Submission)).one()
    pdf = client.get(f"/actions/{action.slug}/print/{submission.public_token}/letters.pdf")
    assert pdf.status_code == 200
    with pdfplumber.open(io.BytesIO(pdf.data)) as document:
        for page in document.pages:
            chars = page.chars
            town = [c for c in chars if c["text"] in set(person["city"])]
            for first_of_country in ("以", "埃", "I", "E"):  # 以色列/埃及, Israel/Egypt
                after = [c for c in chars if c["text"] == first_of_country]
                for mark in after:
                    same_line = [c for c in town if abs(c["top"] - mark["top"]) < 2]
                    if same_line:
                        # Left to right: the town, then its country to the right of it.
                        assert max(c["x1"] for c in same_line) <= mark["x0"] + 0.5
