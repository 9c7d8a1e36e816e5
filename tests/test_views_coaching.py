"""Coaching in the composer, its record on the submission, and the share on the statistics page."""

from __future__ import annotations

import html
import re
import uuid

import pytest
from sqlalchemy import select

from actionapp.extensions import db
from actionapp.letters.record import move_letters
from actionapp.models import LetterStatus, Submission, utcnow
from tests.builders import make_chinese_case
from tests.conftest import compose_data

OWN = (
    "I am a nurse in Leeds. My grandmother was a lawyer, and this case reminds me of her "
    "courage: nobody should go to prison for defending workers."
)
AS_IT_STANDS = "Your letter is the model letter as it stands."


@pytest.fixture
def action(app):
    """Targets written to in Chinese beside the English letter, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def _coaching_of(page: str) -> str:
    """Return the text of the coaching box (or its live-preview copy) in a page."""
    match = re.search(r'(?:id="coaching"[^>]*|data-swap="coaching")>(.*?)</div>', page, re.DOTALL)
    assert match, "no coaching in the page"
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))


def _share(page: str) -> int:
    return int(re.search(r'data-own-share="(\d+)"', page).group(1))


def test_live_preview_carries_the_measure_and_the_notes(client, action):
    url = f"/actions/{action.slug}/preview"
    plain = client.post(url, data=compose_data(action, personal_message="")).get_data(as_text=True)
    assert AS_IT_STANDS in _coaching_of(plain) and _share(plain) == 0
    assert "Say who you are" in _coaching_of(plain)
    own = client.post(url, data=compose_data(action, personal_message=OWN))
    text = own.get_data(as_text=True)
    assert _share(text) > 0 and "of your letter is in your own words" in _coaching_of(text)
    rude = client.post(
        url, data=compose_data(action, personal_message="You idiots. FREE THEM NOW.")
    ).get_data(as_text=True)
    notes = _coaching_of(rude)
    assert "Some words could harm the case" in notes
    assert "idiots" in notes
    assert "Stay courteous" in notes and "Capitals read as shouting" in notes


def test_live_preview_measures_chinese_letters(client, action):
    data = compose_data(action, language="zh", personal_message="")
    page = client.post(f"/actions/{action.slug}/preview", data=data).get_data(as_text=True)
    assert _share(page) == 0
    data["personal_message"] = "我是利兹的一名护士，这个案件让我想起我的祖母。混蛋！"
    page = client.post(f"/actions/{action.slug}/preview", data=data).get_data(as_text=True)
    assert _share(page) > 0 and "混蛋" in _coaching_of(page)


def test_preview_page_shows_the_coaching_without_javascript(client, action):
    page = client.post(
        f"/actions/{action.slug}/write", data=compose_data(action, personal_message="")
    ).get_data(as_text=True)
    assert "Check your letter" in page
    assert AS_IT_STANDS in _coaching_of(page)
    composer = client.get(f"/actions/{action.slug}/write").get_data(as_text=True)
    assert AS_IT_STANDS in _coaching_of(composer)


def test_a_letter_exactly_as_the_model_is_recorded_with_its_share(post_letter, action):
    as_model = post_letter(action, personal_message="", body="")
    assert as_model.status_code == 303 and "/thanks/" in as_model.headers["Location"]
    own = post_letter(action, channel="mailto", personal_message=OWN)
    assert own.status_code == 303 and "/thanks/" in own.headers["Location"]
    shares = dict(
        db.session.execute(
            select(Submission.channel, Submission.own_share).where(
                Submission.action_id == action.id
            )
        ).all()
    )
    assert shares["print"] == 0
    assert shares["mailto"] > 0


def test_statistics_show_the_share_of_personalised_letters(post_letter, action, signed_in):
    for message in ("", OWN, OWN + " Free speech matters."):
        assert post_letter(action, personal_message=message).status_code == 303
    assert post_letter(action, channel="mailto", personal_message=OWN).status_code == 303
    now = utcnow()
    submissions = db.session.scalars(
        select(Submission).where(Submission.action_id == action.id)
    ).all()
    # Printed letters count publicly; the mailto one stays "opened" (not counted) for now.
    for submission in submissions:
        if submission.channel == "print":
            move_letters(submission, submission.letters, LetterStatus.PRINTED, now)
    db.session.commit()
    letters_each = len(submissions[0].letters)
    page = signed_in("viewer").get(f"/organise/actions/{action.id}/statistics")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    rows = dict(
        re.findall(
            r'<tr data-channel="(\w+)">.*?<td class="num">[^<]+</td>'
            r'<td class="num">[^<]+</td><td class="num">([^<]+)</td>',
            text,
        )
    )
    assert rows == {"print": "67 %", "all": "67 %"}
    measured = re.search(
        r'<tr data-channel="all">.*?<td class="num">([^<]+)</td><td class="num">([^<]+)</td>',
        text,
    ).groups()
    assert measured == (str(3 * letters_each), str(2 * letters_each))


def test_the_coaching_box_is_empty_when_no_model_letter_is_in_reach(app):
    # Empty, not whitespace: the stylesheet hides `.coaching:empty`, and a live preview fills it.
    with app.test_request_context():
        macros = app.jinja_env.get_template("public/_coaching.html").make_module()
        assert str(macros.coaching_note(None)) == ""


def test_the_share_recorded_is_the_share_the_preview_showed(client, post_letter, action):
    """Sending records the share alone; it equals the full coaching's measure on the preview."""
    from actionapp.campaigns.actions import model_letter
    from actionapp.letters.compose import editable_text

    model = editable_text(model_letter(action, "release", "en"))
    cases = [
        {"body": "", "personal_message": ""},
        {"body": "", "personal_message": OWN},
        {
            "body": model.replace("I am writing", "As a nurse, I am writing"),
            "personal_message": OWN,
        },
        {"body": OWN * 2, "personal_message": ""},
        {"language": "zh", "body": "", "personal_message": "我是利兹的一名护士。"},
    ]
    for fields in cases:
        preview = client.post(
            f"/actions/{action.slug}/preview", data=compose_data(action, **fields)
        ).get_data(as_text=True)
        key = uuid.uuid4().hex
        assert post_letter(action, client_key=key, email=None, **fields).status_code == 303
        recorded = db.session.scalar(
            select(Submission.own_share).where(Submission.client_key == key)
        )
        assert recorded == _share(preview), fields


def test_organisers_extend_the_word_lists_per_action(app, client, action, signed_in):
    from tests.conftest import compose_data

    editor = signed_in("editor")
    page = f"/organise/actions/{action.id}/coaching"
    assert "idiots" in editor.get(page).get_data(as_text=True)  # the built-in list is shown
    saved = editor.post(page, data={"insult": "butcher of Ruritania\n\nbutcher of ruritania"})
    assert saved.status_code == 303
    assert "butcher of Ruritania" in editor.get(page).get_data(as_text=True)
    personal = "I am a nurse. The BUTCHER of Ruritania must let them go."
    for language in ("en", "zh"):
        data = compose_data(action, language=language, personal_message=personal)
        answer = client.post(f"/actions/{action.slug}/preview", data=data)
        notes = answer.get_data(as_text=True)
        assert 'data-kind="insult"><q>BUTCHER of Ruritania</q>' in notes, language
    other = compose_data(action, personal_message="A butcher in Leeds sells meat.")
    notes = client.post(f"/actions/{action.slug}/preview", data=other).get_data(as_text=True)
    assert 'data-kind="insult"' not in notes
