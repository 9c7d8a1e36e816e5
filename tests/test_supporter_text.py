"""Supporters' words in any script: kept exactly as typed, shown with the right direction."""

from __future__ import annotations

import re
import unicodedata

import pytest
from markupsafe import escape
from sqlalchemy import select

from actionapp.email.addresses import normalise_email
from actionapp.extensions import db
from actionapp.models import Submission
from tests.builders import make_chinese_case
from tests.realworld import assert_refused, composer_refusal, supporters

PEOPLE = supporters()


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def _fields(person) -> dict:
    return {
        "name": person["name"],
        "street_address": person.get("street", ""),
        "city": person["city"],
        "country": person["country"],
        "email": person["email"],
        "personal_message": person.get("message", "I care about free speech."),
    }


def test_the_corpus_has_decomposed_text():
    """The NFD case is really decomposed (an editor saving the file may have composed it)."""
    assert any(not unicodedata.is_normalized("NFC", p["name"]) for p in PEOPLE)


@pytest.mark.parametrize("person", PEOPLE, ids=[p["name"] for p in PEOPLE])
def test_words_are_stored_shown_and_emailed_exactly_as_typed(
    client, post_letter, action, smtp_server, deliver, person
):
    """No Unicode normalisation anywhere: what the supporter typed is what everyone reads."""
    action.require_email_confirmation = False
    db.session.commit()
    typed = _fields(person)
    response = post_letter(action, channel="email", language="en", **typed)
    if refusal := composer_refusal(person, "email"):
        assert_refused(response, refusal)
        return
    assert response.status_code == 303, re.findall(
        r'class="error"[^>]*>([^<]+)', response.get_data(as_text=True)
    )
    submission = db.session.scalars(select(Submission)).one()
    for key in ("name", "street_address", "city", "personal_message"):
        assert getattr(submission, key) == typed[key].strip(), key
    assert submission.email == normalise_email(typed["email"])

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"<bdi>{escape(typed['name'])!s}</bdi>" in page

    deliver()
    letters = [r for r in smtp_server.received if "Reply-To" in r.message]
    assert letters
    for received in letters:
        text = received.text()
        assert typed["name"] in text and typed["personal_message"].strip()[:200] in text
        assert received.message["Reply-To"].addresses[0].display_name == typed["name"]
        # The HTML part marks every paragraph: plain text cannot carry a direction.
        paragraphs = re.findall(r"<p\b[^>]*>", received.html())
        assert paragraphs and all('dir="auto"' in p for p in paragraphs)


@pytest.mark.parametrize("person", PEOPLE, ids=[p["name"] for p in PEOPLE])
def test_preview_and_composer_mark_supporter_text_with_dir_auto(client, action, app, person):
    from tests.conftest import compose_data

    data = compose_data(action, **_fields(person))
    preview = client.post(f"/actions/{action.slug}/preview", data=data)
    assert preview.status_code == 200
    fragment = preview.get_data(as_text=True)
    personal = str(escape(data["personal_message"].strip()[:100]))
    assert re.search(r'<p class="letter-text personal" lang="" dir="auto">' + re.escape(personal),
                     fragment)  # fmt: skip
    signature = re.search(r'<p class="letter-text signature" dir="ltr"><bdi>([^<]*)', fragment)
    assert signature and str(escape(person["name"])) in signature[1]
    # Back in the composer (an error elsewhere), every field with the supporter's words.
    data["consent_processing"] = ""
    page = client.post(f"/actions/{action.slug}/write", data=data).get_data(as_text=True)
    for name in ("name", "street_address", "city", "personal_message", "body"):
        tag = re.search(rf'<(?:input|textarea)[^>]*\bname="{name}"[^>]*>', page)
        assert tag and 'dir="auto"' in tag[0], name
