"""Open in my email app: mailto: links or copy buttons, then "I've sent it" to be counted."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from markupsafe import escape
from sqlalchemy import select

from actionapp.email.messages import MAILTO_MAX_LENGTH
from actionapp.extensions import db
from actionapp.models import Letter, LetterStatus
from actionapp.stats.counts import action_counts
from tests.builders import letter_fields, make_chinese_case
from tests.conftest import csrf_token_from


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, a UK embassy copy; letters too long for a
    mailto: link as the organisers wrote them."""
    built = make_chinese_case(
        letters=[
            letter_fields("en", body="Please release Ana. " * 100),
            letter_fields("zh", body="请立即释放安娜。" * 100),
        ]
    )
    db.session.commit()
    return built


def _links(page: str) -> list[str]:
    """Return the letters' mailto: links (not the "share by email" one, which has no address)."""
    found = [html.unescape(href) for href in re.findall(r'href="(mailto:[^"]+)"', page)]
    return [link for link in found if not link.startswith("mailto:?")]


def _short_letter_to_an_english_target(action):
    """Make the court read English and the supporter's edit short, so one link holds it all."""
    court = action.targets[0]
    court.language = "en"
    db.session.commit()
    return court


def test_short_letter_opens_in_the_mail_app_with_everything_in_the_link(
    client, post_letter, action, app
):
    court = _short_letter_to_an_english_target(action)
    app.config["MAIL_COUNTING_ADDRESS"] = "count@rights.example.org"
    body = "Please release them & let them see a lawyer.\n100% of us ask it; #FreeThem?"
    response = post_letter(
        action, channel="mailto", country="BR", targets=[str(court.id)], body=body
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    (letter,) = db.session.scalars(select(Letter)).all()
    assert letter.status == LetterStatus.OPENED
    full = next(link for link in _links(page) if "body=" in link)
    assert len(full) <= MAILTO_MAX_LENGTH
    parts = urlsplit(full)
    assert unquote(parts.path) == court.email
    fields = parse_qs(parts.query)
    assert fields["subject"] == [letter.subject]
    assert fields["bcc"] == ["count@rights.example.org"]
    sent_body = fields["body"][0]
    assert sent_body.startswith(f"{letter.date_text}\r\n\r\nDear Judge Li,\r\n\r\n")
    assert "let them see a lawyer.\r\n100% of us ask it; #FreeThem?" in sent_body
    assert sent_body.endswith("Jane Doe\r\nLeeds, Brazil")
    assert " " not in full and "\n" not in full


def test_long_letter_offers_copy_buttons_instead(client, post_letter, action):
    response = post_letter(action, channel="mailto")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    letters = db.session.scalars(select(Letter).order_by(Letter.id)).all()
    assert len(letters) == 3
    # Chinese letters percent-encode to far more than mail apps take: no body in any link.
    assert all("body=" not in link for link in _links(page))
    assert all(len(link) <= MAILTO_MAX_LENGTH for link in _links(page))
    assert "too long for a link" in page
    for letter in letters:
        assert f'value="{letter.target.email}"' in page
        # The text is on the page, selectable, and the copy buttons wait for JavaScript.
        first_line = letter.body.splitlines()[0]
        assert str(escape(first_line)) in page
        for part in ("to", "subject", "body"):
            assert re.search(
                rf'<button[^>]*data-copy-target="mailto-{part}-{letter.id}"[^>]*hidden', page
            )


def test_ive_sent_it_counts_the_letters(client, post_letter, action):
    location = post_letter(action, channel="mailto").headers["Location"]
    counts = action_counts(action.id)
    assert counts.letters == 0 and counts.by_status["mailto"]["opened"] == 3
    first = db.session.scalars(select(Letter).order_by(Letter.id)).first()
    response = client.post(f"{location}/sent", data={"letter": str(first.id)})
    assert response.status_code == 303 and response.headers["Location"] == f"{location}#sent"
    counts = action_counts(action.id)
    assert (counts.letters, counts.supporters) == (1, 1)
    assert counts.by_status["mailto"] == {"opened": 2, "sent": 1}
    client.post(f"{location}/sent", data={"letter": "all"})
    client.post(f"{location}/sent", data={"letter": "all"})
    counts = action_counts(action.id)
    assert (counts.letters, counts.supporters, counts.by_channel["mailto"]) == (3, 1, 3)
    assert "your letters are counted" in client.get(location).get_data(as_text=True)


def test_ive_sent_it_needs_csrf_and_the_right_link(make_app, post_letter, action, client):
    location = post_letter(action, channel="mailto").headers["Location"]
    protected = make_app(WTF_CSRF_ENABLED=True).test_client()
    assert protected.post(f"{location}/sent", data={"letter": "all"}).status_code == 400
    token = csrf_token_from(protected.get(location).get_data(as_text=True))
    assert client.post("/actions/x/thanks/not-a-token/sent").status_code == 404
    ok = protected.post(f"{location}/sent", data={"letter": "all", "csrf_token": token})
    assert ok.status_code == 303
    db.session.expire_all()
    assert action_counts(action.id).by_channel["mailto"] == 3


def test_targets_without_an_address_get_no_mailto_letter(post_letter, action):
    action.targets[0].email = None
    db.session.commit()
    post_letter(action, channel="mailto")
    emails = [letter.target.email for letter in db.session.scalars(select(Letter))]
    assert emails == ["chen@example.org", "embassy-gb@example.org"]
