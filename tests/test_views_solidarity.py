"""Solidarity messages through the routes: settings, writing, moderation, cards and counts."""

from __future__ import annotations

import io
import re
import uuid

import pdfplumber
import pytest
from sqlalchemy import select

from actionapp.extensions import db
from actionapp.models import SolidarityMessage, Submission
from tests.conftest import started_stamp

SETTINGS = {
    "is_open": "y",
    "recipient": "person",
    "recipient_name": "Xueqin",
    "languages": ["en", "zh"],
    "delivery": "printed",
    "postal_address": "",
    "max_chars": "400",
    "no_organisation": "y",
    "no_surnames": "y",
    "no_places": "y",
    "avoid_words": "Guangzhou\nDetention Centre",
    "show_on_page": "y",
}


@pytest.fixture
def editor(signed_in):
    """An editor's signed-in client."""
    return signed_in("editor")


@pytest.fixture
def opened(action, editor):
    """The demo action with solidarity messages open (set through the organiser's form)."""
    response = editor.post(f"/organise/actions/{action.id}/solidarity", data=SETTINGS)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return action


def message_data(app, **overrides) -> dict:
    """Return a complete message post."""
    data = {
        "body": "Keep strong. We are thinking of you every day.",
        "language": "en",
        "sign_as": "first_name_country",
        "first_name": "Ana",
        "country": "PT",
        "email": "ana@example.org",
        "client_key": uuid.uuid4().hex,
        "started": started_stamp(app),
        "website": "",
    }
    data.update(overrides)
    return data


def post_message(app, client, action, **overrides):
    """Post a message on its own and return the response."""
    return client.post(f"/actions/{action.slug}/solidarity", data=message_data(app, **overrides))


def test_closed_until_organisers_open_it(app, client, action):
    assert client.get(f"/actions/{action.slug}/solidarity").status_code == 404
    page = client.get(f"/actions/{action.slug}").get_data(as_text=True)
    assert "message of solidarity" not in page


def test_settings_refuse_a_limit_beyond_the_maximum_and_card_without_address(action, editor):
    data = dict(SETTINGS, max_chars="5000", delivery="card", postal_address="")
    response = editor.post(f"/organise/actions/{action.id}/solidarity", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Please give the address supporters post their cards to." in page
    assert "5000" in page  # what was typed stays in the field


def test_viewers_cannot_change_settings(action, signed_in):
    viewer = signed_in("viewer")
    response = viewer.post(f"/organise/actions/{action.id}/solidarity", data=SETTINGS)
    assert response.status_code in (302, 303, 403)
    assert action.solidarity is None


def test_organisation_name_is_flagged_then_fixed_and_sent(app, client, opened):
    organisation = app.config["ORGANISATION_NAME"]
    page = client.get(f"/actions/{opened.slug}/solidarity").get_data(as_text=True)
    assert f"Leave out the name of {organisation}" in page
    typed = f"Everyone at {organisation.upper()} sends love. Keep strong!"
    response = post_message(app, client, opened, body=typed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "the card must not name the organisation" in page
    assert "sends love. Keep strong!" in page  # nothing typed is lost
    assert db.session.scalars(select(SolidarityMessage)).all() == []
    response = post_message(app, client, opened, body="Keep strong! We send you love.")
    assert response.headers["Location"].endswith(f"/actions/{opened.slug}/solidarity/sent")
    message = db.session.scalars(select(SolidarityMessage)).one()
    assert message.status == "pending"
    assert message.signature == "Ana, Portugal"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", "Please write your message."),
        ("x" * 401, "Your message has 401 characters; at most 400"),
        ("💪🙏❤️ https://example.org", "a message of only emoji, links or signs"),
        ("Stay strong <script>alert(1)</script>", "Please write plain text"),
        ("Write to me at ana@example.org", "the email address ana@example.org"),
        ("See www.example.org for news", "the link www.example.org"),
        ("Call me on +44 20 7946 0958", "the phone number +44 20 7946 0958"),
        ("We think of you in Guangzhou", "Please leave out “Guangzhou”"),
    ],
)
def test_bad_messages_come_back_with_a_clear_message(app, client, opened, body, expected):
    response = post_message(app, client, opened, body=body)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert expected in page
    assert db.session.scalars(select(SolidarityMessage)).all() == []


def test_after_an_appeal_the_writers_surname_and_town_are_flagged(app, client, opened, post_letter):
    assert post_letter(opened, channel="print").status_code == 303
    submission = db.session.scalars(select(Submission)).one()
    thanks = client.get(f"/actions/{opened.slug}/thanks/{submission.public_token}")
    url = f"/actions/{opened.slug}/thanks/{submission.public_token}/solidarity"
    assert url in thanks.get_data(as_text=True)
    form = client.get(url).get_data(as_text=True)
    assert 'value="Jane"' in form  # first name only, from the appeal
    response = client.post(
        url, data=message_data(app, body="Jane Doe from Leeds is with you.", first_name="Jane")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please leave out “Doe”: no surnames on the card." in page
    assert "Please leave out “Leeds”: no places on the card." in page
    response = client.post(url, data=message_data(app, first_name="Jane", email=""))
    assert response.status_code == 303
    message = db.session.scalars(select(SolidarityMessage)).one()
    assert message.submission_id == submission.id


def test_the_live_check_says_what_the_form_would_refuse(app, client, opened):
    response = client.post(
        f"/actions/{opened.slug}/solidarity/check", data={"body": "Mail me: a@example.org"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-problem="email"' in html
    assert "22 of 400 characters" in html


def test_a_double_post_records_one_message(app, client, opened):
    data = message_data(app)
    assert client.post(f"/actions/{opened.slug}/solidarity", data=data).status_code == 303
    assert client.post(f"/actions/{opened.slug}/solidarity", data=data).status_code == 303
    assert len(db.session.scalars(select(SolidarityMessage)).all()) == 1


def _ids():
    return [m.id for m in db.session.scalars(select(SolidarityMessage).order_by("id"))]


def test_moderation_in_bulk_and_one_by_one_with_a_reason(app, client, opened, editor):
    for n in range(3):
        assert (
            post_message(app, client, opened, body=f"Keep strong, friend {n}.").status_code == 303
        )
    queue = f"/organise/actions/{opened.id}/solidarity/messages"
    page = editor.get(queue).get_data(as_text=True)
    assert "Keep strong, friend 2." in page
    first, second, third = _ids()
    # Nothing is shown before approval.
    assert "Keep strong, friend" not in client.get(f"/actions/{opened.slug}").get_data(as_text=True)
    refused = editor.post(queue, data={"decision": "reject", "ids": [str(first)]})
    assert refused.status_code == 422
    assert "Please say why" in refused.get_data(as_text=True)
    response = editor.post(queue, data={"decision": "approve", "ids": [str(first), str(second)]})
    assert response.status_code == 303
    response = editor.post(
        queue, data={"single": f"reject:{third}", "reason": "Names a place", "status": "pending"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    statuses = {
        m.id: (m.status, m.reject_reason) for m in db.session.scalars(select(SolidarityMessage))
    }
    assert statuses == {
        first: ("approved", ""),
        second: ("approved", ""),
        third: ("rejected", "Names a place"),
    }
    # The cards to print, by the paper names the composer uses.
    cards = re.findall(
        r'paper=(\w+)">All approved messages as cards \(([^)]+)\)',
        editor.get(queue).get_data(as_text=True),
    )
    assert cards == [("a4", "A4"), ("letter", "US Letter")]
    page = client.get(f"/actions/{opened.slug}").get_data(as_text=True)
    assert "Keep strong, friend 0." in page and "Keep strong, friend 1." in page
    assert "Keep strong, friend 2." not in page
    assert "ana@example.org" not in page
    counts = client.get(f"/api/v1/actions/{opened.slug}").get_json()
    assert counts["solidarity_messages"]["online"] == {"approved": 2, "pending": 0, "rejected": 1}
    assert counts["counts"]["letters"] == 0  # messages are not letters


def _pdf_text(data: bytes) -> tuple[str, int, set[str]]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        # The font each Chinese character is drawn with.
        fonts = {
            char["fontname"] for page in pdf.pages for char in page.chars if char["text"] == "我"
        }
        return text, len(pdf.pages), fonts


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_cards_print_only_approved_messages_in_their_script(app, client, opened, editor, paper):
    post_message(app, client, opened, body="Keep strong! We are with you.")
    post_message(app, client, opened, body="我们一直在想念你，请保重身体。", language="zh")
    post_message(app, client, opened, body="Not approved yet.")
    for n in range(3):
        post_message(app, client, opened, body=f"Hope and courage {n}.")
    ids = _ids()
    queue = f"/organise/actions/{opened.id}/solidarity/messages"
    approve = [str(i) for i in ids[:2] + ids[3:]]
    assert editor.post(queue, data={"decision": "approve", "ids": approve}).status_code == 303
    response = editor.get(f"/organise/actions/{opened.id}/solidarity/cards.pdf?paper={paper}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text, pages, fonts = _pdf_text(response.data)
    assert pages == 2  # five cards, four to a sheet
    assert "Keep strong! We are with you." in text
    assert "我们一直在想念你" in text
    assert "Not approved yet." not in text
    assert "ana@example.org" not in text and "@" not in text
    assert app.config["ORGANISATION_NAME"] not in text
    assert "Ana, Portugal" in text
    assert "Dear Xueqin," in text
    assert fonts and all(font.endswith("Noto-Serif-CJK-SC") for font in fonts), fonts


def test_counts_keep_cards_apart_in_the_statistics_api(app, client, opened):
    post_message(app, client, opened)
    counts = client.get(f"/api/v1/actions/{opened.slug}").get_json()
    assert counts["solidarity_messages"]["total"] == 0
    assert counts["solidarity_messages"]["online"]["pending"] == 1


def test_messages_follow_the_actions_retention(app, client, opened, editor):
    from datetime import timedelta

    from actionapp.models import utcnow
    from actionapp.privacy.personal_data import purge_expired

    post_message(app, client, opened, body="Keep strong, from far away.")
    queue = f"/organise/actions/{opened.id}/solidarity/messages"
    editor.post(queue, data={"decision": "approve", "ids": [str(i) for i in _ids()]})
    page = client.get(f"/actions/{opened.slug}").get_data(as_text=True)
    assert "Keep strong, from far away." in page
    purge_expired(utcnow() + timedelta(days=opened.retention_days + 400))
    db.session.commit()
    message = db.session.scalars(select(SolidarityMessage)).one()
    assert (message.body, message.signature, message.email) == ("", "", None)
    assert message.status == "approved"  # the count stays
    page = client.get(f"/actions/{opened.slug}").get_data(as_text=True)
    assert "Keep strong, from far away." not in page
    counts = client.get(f"/api/v1/actions/{opened.slug}").get_json()
    assert counts["solidarity_messages"]["online"]["approved"] == 1


def test_cards_written_at_events_count_apart_once_the_report_is_approved(
    app, client, action, editor
):
    from tests.fixtures_walk import report_data

    data = report_data(app, action)
    data["cards"] = "7"
    assert client.post(f"/actions/{action.slug}/event/report", data=data).status_code == 303
    counts = client.get(f"/api/v1/actions/{action.slug}").get_json()
    assert counts["solidarity_messages"]["event_cards"] == {"approved": 0, "pending": 7}
    letters_before = counts["counts"]["by_status"]["event"]["pending"]
    from actionapp.models import EventReport

    report_id = db.session.scalars(select(EventReport.id)).one()
    review = f"/organise/actions/{action.id}/events/{report_id}/review"
    assert editor.post(review, data={"decision": "approve"}).status_code == 303
    counts = client.get(f"/api/v1/actions/{action.slug}").get_json()
    assert counts["solidarity_messages"]["event_cards"] == {"approved": 7, "pending": 0}
    assert counts["solidarity_messages"]["total"] == 7
    assert counts["counts"]["by_channel"]["event"] == letters_before  # cards are not letters
    assert "Solidarity cards: 7" in editor.get(f"/organise/actions/{action.id}/events").get_data(
        as_text=True
    )


def test_statistics_and_osdi_export_keep_messages_apart(app, client, opened, editor):
    for n in range(2):
        post_message(app, client, opened, body=f"With you, always {n}.")
    queue = f"/organise/actions/{opened.id}/solidarity/messages"
    editor.post(queue, data={"decision": "approve", "ids": [str(_ids()[0])]})
    page = editor.get(f"/organise/actions/{opened.id}/statistics").get_data(as_text=True)
    row = page.split('data-kind="online"')[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[:3]] == ["1", "1", "0"]
    campaign = editor.get(f"/organise/export/osdi/advocacy_campaigns/{opened.id}").get_json()
    assert campaign["total_outreaches"] == 0
    assert campaign["actionapp:solidarity_messages"] == 1
    link = campaign["_links"]["actionapp:solidarity_messages"]["href"]
    exported = editor.get(link).get_json()
    (outreach,) = exported["_embedded"]["osdi:outreaches"]
    assert outreach["type"] == "actionapp:solidarity"
    assert "With you" not in str(exported) and "Ana" not in str(exported)


def test_one_form_posted_too_often_answers_429_with_the_text_kept(make_app, opened):
    limited = make_app(RATELIMIT_ENABLED=True, SUBMIT_COMPOSER_RATE_LIMIT="2 per minute")
    visitor = limited.test_client()
    data = message_data(limited, body="Thinking of you <b>always</b>.", client_key="same-form")
    answers = [visitor.post(f"/actions/{opened.slug}/solidarity", data=data) for _ in range(3)]
    assert [a.status_code for a in answers] == [422, 422, 429]
    assert "Thinking of you &lt;b&gt;always&lt;/b&gt;." in answers[-1].get_data(as_text=True)
    # Another form (another person behind the same address) is not held back.
    other = message_data(limited, client_key="other-form")
    assert visitor.post(f"/actions/{opened.slug}/solidarity", data=other).status_code == 303
