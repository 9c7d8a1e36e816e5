"""The forms refuse what cannot print: the composer's return address, the organiser's targets."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from actionapp.extensions import db
from actionapp.models import Target
from tests.builders import make_chinese_case
from tests.conftest import compose_data, started_stamp
from tests.realworld import supporters, targets

SUPPORTERS = supporters()
TARGETS = targets()


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def _supporter(why_part: str) -> dict:
    return next(p for p in SUPPORTERS if why_part in p["why"])


def test_composer_refuses_an_address_that_cannot_fit_with_the_numbers(app, client, action):
    person = _supporter("German sender")
    data = compose_data(
        action,
        name=person["name"],
        street_address=person["street"],
        city=person["city"],
        country=person["country"],
        started=started_stamp(app),
        channel="print",
    )
    response = client.post(f"/actions/{action.slug}/write", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(
        r"Your address needs \d+ lines on A4 paper, even in small type; at most \d+ fit", page
    )
    # Four short lines are welcome: the check is about the space, not the count of lines.
    ok = compose_data(
        action, street_address="Flat 2\n1 High Street\nHeadingley\nLS6 1AA",
        started=started_stamp(app), channel="print",
    )  # fmt: skip
    assert client.post(f"/actions/{action.slug}/write", data=ok).status_code == 303


def _target_post(client, action, official: dict):
    salutation = f"{official['language']}: {official['salutation']}"
    data = {
        "kind": "primary",
        "supporter_country": "",
        "name": official["name"],
        "title": "",
        "organisation": official["organisation"],
        "address_lines": official["address"],
        "country": official["country"] if official["country"] != "XL" else "",
        "email": "",
        "language": official["language"],
        "salutations": salutation,
        "why": "",
    }
    return client.post(f"/organise/actions/{action.id}/targets/new", data=data)


WINDOW_PROBLEM = re.compile(
    r"On (A4|US Letter) the name, organisation and address need \d+ lines at [\d.]+ pt "
    r"in the \d+ mm wide window; at most \d+ lines fit"
)


def test_target_form_saves_what_fits_and_refuses_what_does_not_with_the_numbers(signed_in, action):
    from actionapp.printing.pdf.checks import recipient_problems

    editor = signed_in("editor")
    for official in TARGETS:
        expected = recipient_problems(
            official["name"], official["organisation"], official["address"], official["language"]
        )
        response = _target_post(editor, action, official)
        page = response.get_data(as_text=True)
        if expected:
            assert response.status_code == 422, official["why"]
            assert WINDOW_PROBLEM.search(page), official["why"]
        else:
            assert response.status_code == 303, (official["why"], page[-2000:])
    saved = {t.name for t in db.session.scalars(select(Target))}
    assert "Minister of Justice" not in saved  # ten lines: fits neither window
    assert "THE AMBASSADOR" in saved and "النائب العام" in saved


def test_embassy_csv_import_refuses_an_address_that_does_not_fit(signed_in, action):
    editor = signed_in("editor")
    eight = next(t for t in TARGETS if t["address"].count("\n") >= 7)
    address = eight["address"].replace("\n", "|")
    text = (
        "supporter_country,name,organisation,address,country,language\n"
        f'IE,{eight["name"]},{eight["organisation"]},"{address}",IE,es\n'
    )
    response = editor.post(
        f"/organise/actions/{action.id}/embassies/import",
        data={"file": (io.BytesIO(text.encode()), "e.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Nothing was imported" in page
    assert WINDOW_PROBLEM.search(page)


def test_publishing_checklist_lists_a_target_that_does_not_fit(signed_in, action):
    from actionapp.models import ActionStatus

    eight = next(t for t in TARGETS if t["address"].count("\n") >= 7)
    # Saved before the forms checked the window (e.g. an older database).
    action.targets.append(
        Target(
            name=eight["name"],
            organisation=eight["organisation"],
            address_lines=eight["address"],
            language=eight["language"],
            position=len(action.targets),
        )
    )
    action.status = ActionStatus.DRAFT
    db.session.commit()
    editor = signed_in("editor")
    page = editor.post(f"/organise/actions/{action.id}/publish", follow_redirects=True).get_data(
        as_text=True
    )
    assert "The address of “Minister of Justice” does not fit the envelope window." in page
    assert WINDOW_PROBLEM.search(page)
    db.session.refresh(action)
    assert action.status == ActionStatus.DRAFT


def _model_letter(client, action, body: str, variant: str):
    data = {
        "label": "A long letter",
        "variant": variant,
        "language": "en",
        "subjects": "Please release them",
        "body": body,
        "closing": "Yours sincerely,",
        "step": "save",
    }
    return client.post(f"/organise/actions/{action.id}/letters/new", data=data)


def _words(count: int) -> str:
    sentence = "The authorities must release Huang Xueqin and Wang Jianbing without delay. "
    paragraphs = []
    while sum(len(p) for p in paragraphs) < count:
        paragraphs.append(sentence * 6)
    return "\n\n".join(paragraphs)[:count]


def test_a_model_letter_too_long_to_print_is_refused_at_save_with_the_page_limit(signed_in, action):
    from actionapp.models import ModelLetter
    from actionapp.printing.pdf.checks import MAX_LETTER_PAGES

    editor = signed_in("editor")
    response = _model_letter(editor, action, _words(13_000), "long")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for paper in ("A4", "US Letter"):
        assert f"would print on more than {MAX_LETTER_PAGES} pages on {paper} paper" in page, paper
    assert db.session.scalar(select(ModelLetter).where(ModelLetter.variant == "long")) is None


def test_a_model_letter_the_editor_accepts_prints_for_the_longest_supporter_on_both_papers(
    app, signed_in, client, action
):
    from actionapp.letters.forms import PERSONAL_MAX
    from actionapp.models import Submission
    from actionapp.printing.pdf.checks import MAX_LETTER_PAGES
    from tests.fixtures_print import read_pdf

    editor = signed_in("editor")
    assert _model_letter(editor, action, _words(4_000), "long").status_code == 303
    data = compose_data(
        action,
        variant="long",
        personal_message=("I teach history and I care. " * 100)[:PERSONAL_MAX],
        started=started_stamp(app),
        channel="print",
    )
    response = client.post(f"/actions/{action.slug}/write", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[-3000:]
    submission = db.session.scalar(select(Submission).order_by(Submission.id.desc()))
    for paper in ("a4", "letter"):
        pdf = client.get(
            f"/actions/{action.slug}/print/{submission.public_token}/letters.pdf"
            f"?paper={paper}&guide=0"
        )
        assert pdf.status_code == 200, paper
        # Each letter starts on a new page and runs to at most the stated number of pages.
        assert read_pdf(pdf.data).pages <= MAX_LETTER_PAGES * len(submission.letters)


# A name in Nag Mundari (Unicode 15, 2022), a script no Debian font draws yet.
NO_FONT = {
    "why": "a script no installed font draws", "name": "\U0001e4d0\U0001e4d1\U0001e4d2 Soy",
    "city": "Ranchi", "country": "IN",
}  # fmt: skip


def test_composer_refuses_characters_no_installed_font_can_draw(app, client, action):
    from actionapp.printing.pdf.fonts import undrawable

    for person in [*SUPPORTERS, NO_FONT]:
        missing = undrawable(" ".join([person["name"], person["city"], person.get("message", "")]))
        data = compose_data(
            action,
            name=person["name"],
            city=person["city"],
            country=person["country"],
            street_address="",
            personal_message=person.get("message", ""),
            started=started_stamp(app),
            channel="print",
        )
        response = client.post(f"/actions/{action.slug}/write", data=data)
        page = response.get_data(as_text=True)
        if missing:
            assert response.status_code == 422, person["why"]
            assert "These characters cannot be printed on a letter: " in page
            assert all(char in page for char in missing)
        else:
            assert response.status_code == 303, (person["why"], page[-1500:])
    assert undrawable(NO_FONT["name"])
    # Ethiopic (Amharic) prints: Debian's fonts-noto-core (RUN_PACKAGES) draws it.
    amharic = _supporter("Amharic")
    assert not undrawable(amharic["name"] + amharic["message"])
