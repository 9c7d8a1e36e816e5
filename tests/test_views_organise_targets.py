"""Organisers' targets: the same official cannot be added twice; removing one asks first."""

from __future__ import annotations

import html

from sqlalchemy import func, select

from actionapp.extensions import db
from actionapp.models import Channel, Target
from actionapp.web.i18n import is_country
from tests import realworld
from tests.fixtures_organise import add_letters


def _target_post(target: dict, **overrides) -> dict:
    data = {
        "kind": "primary",
        "supporter_country": "",
        "name": target["name"],
        "title": "",
        "organisation": target.get("organisation", ""),
        "address_lines": target.get("address", ""),
        # Invented countries (XL) are not ISO 3166: the form leaves the country unset for them.
        "country": target["country"] if is_country(target.get("country", "")) else "",
        "email": target.get("email", ""),
        "language": target["language"],
        "salutations": f"{target['language']}: {target['salutation']}",
        "why": target["why"],
    }
    data.update(overrides)
    return data


def _count(action_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Target.id)).where(Target.action_id == action_id))


def test_the_same_official_cannot_be_added_twice(signed_in, action):
    editor = signed_in("editor")
    url = f"/organise/actions/{action.id}/targets/new"
    before = _count(action.id)
    added = []
    for i, official in enumerate(realworld.targets()):
        data = _target_post(official, email=f"official{i}@example.org")
        first = editor.post(url, data=data)
        if first.status_code == 422:
            # An address that cannot print in the envelope window is refused, with the numbers.
            assert "window" in html.unescape(first.get_data(as_text=True)), official["why"]
            continue
        assert first.status_code == 303, official["why"]
        added.append(official)
        # Again, as typed a second time: other case and spacing; or only the same address.
        for again in (
            {**data, "name": f"  {data['name'].upper()} ", "email": ""},
            {**data, "name": "Someone else", "organisation": "Elsewhere"},
        ):
            response = editor.post(url, data=again)
            page = response.get_data(as_text=True)
            assert response.status_code == 422, official["why"]
            assert "is already a target of this action" in page
    assert added and _count(action.id) == before + len(added)
    # Editing an official keeps its own name and address.
    index = realworld.targets().index(added[0])
    target = db.session.scalar(select(Target).where(Target.email == f"official{index}@example.org"))
    edit = f"/organise/actions/{action.id}/targets/{target.id}/edit"
    saved = editor.post(edit, data=_target_post(added[0], email=target.email))
    assert saved.status_code == 303


def test_removing_a_target_asks_first_and_works_without_javascript(signed_in, action):
    editor = signed_in("editor")
    target = action.targets[0]
    url = f"/organise/actions/{action.id}/targets/{target.id}/delete"
    before = _count(action.id)
    overview = editor.get(f"/organise/actions/{action.id}").get_data(as_text=True)
    assert f'href="{url}"' in overview  # a link to the question, not a button that removes
    assert f'action="{url}"' not in overview
    question = editor.get(url)
    page = html.unescape(question.get_data(as_text=True))
    assert question.status_code == 200
    assert f"Remove {target.name}" in page and 'name="confirm" value="yes"' in page
    assert _count(action.id) == before
    # A post without the answer asks again; with it, the target goes.
    assert editor.post(url).status_code == 200
    assert _count(action.id) == before
    removed = editor.post(url, data={"confirm": "yes"})
    assert removed.status_code == 303
    assert _count(action.id) == before - 1


def test_a_target_with_letters_is_not_offered_for_removal(signed_in, action):
    add_letters(action, Channel.PRINT, "GB", "p1")
    editor = signed_in("editor")
    target = action.targets[0]
    url = f"/organise/actions/{action.id}/targets/{target.id}/delete"
    before = _count(action.id)
    page = editor.get(url).get_data(as_text=True)
    assert "it stays, so that they keep counting" in page
    assert 'name="confirm"' not in page
    assert editor.post(url, data={"confirm": "yes"}).status_code == 303
    assert _count(action.id) == before


def test_an_edited_official_shows_at_once_on_the_cached_action_page(client, signed_in, action):
    """Editing a target touches its action (the app session's flush hook): the page follows."""
    page = f"/actions/{action.slug}"
    assert client.get(page).status_code == 200  # now in the page cache
    target = next(t for t in action.targets if t.kind == "primary")
    data = {
        "kind": "primary",
        "supporter_country": "",
        "name": "Judge Renamed Forthwith",
        "title": target.title,
        "organisation": target.organisation,
        "address_lines": target.address_lines,
        "country": target.country,
        "email": target.email or "",
        "language": target.language,
        "salutations": "\n".join(f"{lang}: {text}" for lang, text in target.salutations.items()),
        "why": target.why,
    }
    edit = f"/organise/actions/{action.id}/targets/{target.id}/edit"
    saved = signed_in("editor").post(edit, data=data)
    assert saved.status_code == 303, saved.get_data(as_text=True)[:3000]
    assert "Judge Renamed Forthwith" in client.get(page).get_data(as_text=True)
