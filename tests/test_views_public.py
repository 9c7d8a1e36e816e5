"""The supporter's pages: list, action page, composer, preview, sending, thank-you."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from actionapp.campaigns.case_texts import ActionTextFields
from actionapp.extensions import db
from actionapp.models import ActionStatus, ActionUpdate, Letter, Submission, UpdateText, utcnow
from actionapp.stats.counts import action_counts
from tests.builders import (
    letter_fields,
    make_action,
    make_chinese_case,
    target_fields,
    zh_target_fields,
)
from tests.conftest import compose_data, started_stamp


def _chinese_case():
    """Two targets written to in Chinese, a UK embassy copy, letters in English and Chinese."""
    built = make_chinese_case()
    db.session.commit()
    return built


def test_index_lists_live_actions_newest_first(client, action):
    newer = make_action("A newer action", now=utcnow() + timedelta(minutes=5))
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert page.index(newer.title) < page.index(action.title)
    assert f'href="/actions/{action.slug}"' in page
    assert len(re.findall(r"\b\d+ days left", page)) == 2  # each card tells the time left


def test_index_hides_closed_and_draft_actions(client, action):
    action.status = ActionStatus.CLOSED
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert action.title not in page
    assert "no open action" in page


def test_action_page_shows_the_case(client, app):
    texts = ActionTextFields("Free Ana", "Ana is held.", "Write.", background="Ana was arrested.")
    action = make_action(targets=[target_fields(is_example=True)], texts={"en": texts}, goal=5000)
    db.session.commit()
    response = client.get(f"/actions/{action.slug}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert action.title.replace("#", "#") in page
    assert "What we ask" in page and "Background" in page and "Who you write to" in page
    assert "Ministry of Justice" in page  # the target's organisation
    assert "days left" in page
    assert "<meter" in page and "Goal: 5,000 letters" in page
    assert "Example address" in page
    assert f'href="/actions/{action.slug}/write"' in page


def test_unknown_slug_is_a_404_page(client, action):
    response = client.get("/actions/no-such-action")
    assert response.status_code == 404
    assert "could not find this page" in response.get_data(as_text=True)


def test_draft_action_is_not_public(client, action):
    action.status = ActionStatus.DRAFT
    db.session.commit()
    assert client.get(f"/actions/{action.slug}").status_code == 404


def test_composer_has_a_visible_label_for_every_field(client, app):
    action = make_action(targets=[target_fields(), target_fields("Judge Li")])
    db.session.commit()
    page = client.get(f"/actions/{action.slug}/write").get_data(as_text=True)
    for field_id in (
        "name",
        "email",
        "street_address",
        "city",
        "country",
        "language",
        "body",
        "personal_message",
        "paper",
        "consent_processing",
        "consent_updates",
    ):
        assert f'for="{field_id}"' in page, field_id
    # Every primary target ticked by default.
    assert (
        len(re.findall(r'<input checked id="targets-\d" name="targets" type="checkbox"', page)) == 2
    )
    assert re.search(r'<input checked id="variant-0" name="variant"', page)


def test_composer_guesses_country_from_accept_language(client, action):
    page = client.get(
        f"/actions/{action.slug}/write", headers={"Accept-Language": "de-DE,de;q=0.9"}
    ).get_data(as_text=True)
    assert re.search(r'<option selected value="DE">|<option value="DE" selected>', page)


def test_preview_shows_each_letter_with_salutation_date_and_translation(client, app):
    action = _chinese_case()
    data = compose_data(action, started=started_stamp(app))
    response = client.post(f"/actions/{action.slug}/write", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Check your letter" in page
    # Chinese targets get Chinese letters with an English translation beside them.
    assert "尊敬的李法官" in page and "Dear Judge Li," in page
    assert "Translation (not sent)" in page
    # The embassy in the supporter's country gets a copy, in its language (English).
    assert "copy to the embassy in your country" in page
    assert "Your Excellency," in page
    # Dates in each letter's language.
    today = utcnow().date()
    assert f"{today.year}年{today.month}月{today.day}日" in page
    assert "Jane Doe" in page and "Leeds" in page
    assert "I am a teacher and I care about free speech." in page
    # Three channels.
    for channel in ("email", "mailto", "print"):
        assert f'name="channel" value="{channel}"' in page


def test_back_to_edit_keeps_everything(client, action, app):
    data = compose_data(
        action,
        started=started_stamp(app),
        personal_message="Line one\nLine two <b>bold</b>",
        street_address="Flat 2\n1 High Street",
    )
    data["step"] = "edit"
    page = client.post(f"/actions/{action.slug}/write", data=data).get_data(as_text=True)
    assert 'value="Jane Doe"' in page
    assert "Line one\nLine two &lt;b&gt;bold&lt;/b&gt;" in page
    assert "Flat 2\n1 High Street" in page
    assert 'value="Leeds"' in page
    assert f'value="{data["client_key"]}"' in page


def test_validation_errors_are_shown_beside_the_fields_and_nothing_is_lost(client, action):
    data = compose_data(action, name="", city="x" * 121, personal_message="p" * 1501)
    data.pop("consent_processing")
    response = client.post(f"/actions/{action.slug}/write", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please give your name." in page
    assert "Field cannot be longer than 120 characters." in page
    assert "Field cannot be longer than 1500 characters." in page
    assert "We can only send your letter with your agreement." in page
    assert "p" * 1501 in page  # what they typed is still there
    assert db.session.scalar(select(func.count(Submission.id))) == 0


def test_email_channel_needs_an_email_address(post_letter, action):
    response = post_letter(action, channel="email", email="")
    assert response.status_code == 422
    assert "Please give your email address to send by email." in response.get_data(as_text=True)


def test_invalid_email_is_refused_clearly(post_letter, action):
    response = post_letter(action, channel="email", email="not-an-address")
    assert "This does not look like an email address." in response.get_data(as_text=True)


def test_header_injection_in_name_is_refused(post_letter, action):
    for name in ("Jane\r\nBcc: x@example.org", "=?UTF-8?Q?=0A?=Bcc: x@example.org"):
        response = post_letter(action, channel="email", name=name)
        assert response.status_code == 422
        assert "on one line" in response.get_data(as_text=True)


def test_sending_records_letters_and_shows_thanks(client, post_letter):
    action = _chinese_case()
    response = post_letter(action, channel="print")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert re.fullmatch(rf"/actions/{action.slug}/thanks/[A-Za-z0-9_-]{{40,}}", location)
    submission = db.session.scalar(select(Submission))
    assert submission.name == "Jane Doe" and submission.country == "GB"
    assert "processes my letter" in submission.consent_text
    letters = db.session.scalars(select(Letter).order_by(Letter.id)).all()
    # Two primary targets plus the UK embassy copy.
    assert len(letters) == 3
    assert [letter.language for letter in letters] == ["zh", "zh", "en"]
    page = client.get(location).get_data(as_text=True)
    assert "Thank you, <bdi>Jane Doe</bdi>!" in page
    assert "Your 3 letters" in page
    assert "wa.me" in page and "<script" not in page.split("</head>")[1]
    assert client.get(location).headers["Cache-Control"] == "no-store"
    # Recorded, counted once their PDF is downloaded (tests/test_views_print.py).
    counts = action_counts(action.id)
    assert (counts.supporters, counts.letters, counts.by_status["print"]) == (0, 0, {"to_print": 3})


def test_double_submission_counts_once(client, post_letter):
    action = _chinese_case()
    first = post_letter(action, channel="print", client_key="k" * 32)
    second = post_letter(action, channel="print", client_key="k" * 32)
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count(Submission.id))) == 1
    assert action_counts(action.id).by_status["print"] == {"to_print": 3}


def test_supporter_without_an_embassy_gets_no_copy(post_letter):
    action = _chinese_case()
    post_letter(action, country="BR")
    assert db.session.scalar(select(func.count(Letter.id))) == 2


def test_only_ticked_targets_get_letters(post_letter, action):
    first = action.targets[0]
    post_letter(action, country="BR", targets=[str(first.id)])
    assert db.session.scalars(select(Letter.target_id)).all() == [first.id]


def test_no_target_ticked_is_refused(post_letter, action):
    response = post_letter(action, targets=[])
    assert response.status_code == 422
    assert "Please choose at least one recipient." in response.get_data(as_text=True)


def test_after_the_deadline_posting_answers_410(post_letter, client, action):
    action.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = post_letter(action)
    assert response.status_code == 410
    assert "no longer accepted" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Submission.id))) == 0
    page = client.get(f"/actions/{action.slug}").get_data(as_text=True)
    assert "Write your letter" not in page and "This action is closed" in page


def test_closed_action_shows_outcome_instead_of_composer(client, post_letter, action):
    action.status = ActionStatus.CLOSED
    action.updates.append(
        ActionUpdate(
            outcome="released",
            texts=[UpdateText(language="en", title="Released!", body="Both were **released**.")],
        )
    )
    db.session.commit()
    page = client.get(f"/actions/{action.slug}").get_data(as_text=True)
    assert "Released!" in page and "<strong>released</strong>" in page
    assert post_letter(action).status_code == 410
    assert client.get(f"/actions/{action.slug}/write").status_code == 410
    assert client.get(f"/api/v1/actions/{action.slug}").json["status"] == "released"


def test_print_choice_warns_when_post_would_arrive_late(client, action, app):
    action.deadline = utcnow() + timedelta(days=4)
    db.session.commit()
    data = compose_data(action, started=started_stamp(app))
    page = client.post(f"/actions/{action.slug}/write", data=data).get_data(as_text=True)
    assert "may arrive too late" in page and "We recommend sending by email" in page


def test_honeypot_and_fast_posts_are_turned_away_quietly(client, post_letter, action, app):
    filled = post_letter(action, website="http://spam.example")
    app.config["MIN_FILL_SECONDS"] = 5
    fast = post_letter(action, started=started_stamp(app, seconds_ago=1))
    forged = post_letter(action, started="forged")
    for response in (filled, fast, forged):
        assert response.status_code == 200
        assert "We have received your message." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Submission.id))) == 0
    assert action_counts(action.id).letters == 0


def test_markup_typed_by_a_supporter_shows_as_text(client, post_letter, action, app):
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    data = compose_data(action, started=started_stamp(app), name=evil, personal_message=evil)
    page = client.post(f"/actions/{action.slug}/write", data=data).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    location = post_letter(action, name=evil, personal_message=evil).headers["Location"]
    thanks = client.get(location).get_data(as_text=True)
    assert "<script>alert(1)" not in thanks and "&lt;script&gt;" in thanks


def test_supporter_edits_are_kept_literally_and_never_run_as_templates(post_letter):
    action = _chinese_case()
    body = "My own words for [recipient]. {{ 7*7 }} {% raw %}"
    post_letter(action, country="BR", body=body)
    english = db.session.scalars(select(Letter)).all()
    # Chinese targets get the organisation's Chinese letter: edits only apply in the
    # supporter's language. Send to an English-language target to see the edit.
    assert all("{{ 7*7 }}" not in letter.body for letter in english)
    action.targets[0].language = "en"
    db.session.commit()
    post_letter(action, country="BR", body=body, targets=[str(action.targets[0].id)])
    letter = db.session.scalars(select(Letter).order_by(Letter.id.desc())).first()
    assert letter.body == f"My own words for {action.targets[0].name}. {{{{ 7*7 }}}} {{% raw %}}"


def test_locked_letter_ignores_edits(post_letter, app):
    action = make_action(
        targets=[zh_target_fields()],
        letters=[
            letter_fields("en"),
            letter_fields("zh"),
            letter_fields(
                "en",
                variant="health",
                label="Medical care",
                locked=True,
                body="{{ target.salutation }},\n\n" + "Please make sure Ana sees a doctor. " * 8,
            ),
        ],
    )
    action.targets[0].language = "en"
    db.session.commit()
    post_letter(
        action,
        variant="health",
        body="Changed text",
        country="BR",
        targets=[str(action.targets[0].id)],
    )
    letter = db.session.scalar(select(Letter))
    assert "Changed text" not in letter.body and len(letter.body) > 200


def test_live_preview_fragment(client, app):
    action = _chinese_case()
    data = compose_data(action, name="")
    response = client.post(f"/actions/{action.slug}/preview", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in page
    assert "尊敬的李法官" in page and "[your name]" in page


def test_unknown_country_code_is_refused(post_letter, action):
    response = post_letter(action, country="XX")
    assert response.status_code == 422
    assert "Not a valid choice." in response.get_data(as_text=True)


def test_letters_are_rate_limited_per_address(make_app, action):
    from tests.conftest import started_stamp

    app = make_app(RATELIMIT_ENABLED=True, SUBMIT_RATE_LIMIT="2 per minute")
    client = app.test_client()
    statuses = [
        client.post(
            f"/actions/{action.slug}/write",
            data=compose_data(action, channel="print", started=started_stamp(app)),
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [303, 303, 429]
    db.session.rollback()  # see what the other app committed
    assert db.session.scalar(select(func.count(Submission.id))) == 2
