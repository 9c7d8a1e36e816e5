"""In a real browser: a composer left open past its CSRF token's life keeps everything typed."""

from __future__ import annotations

import time

import itsdangerous.timed
import pytest
from playwright.sync_api import expect

from tests import realworld

pytestmark = pytest.mark.browser


def test_expired_form_comes_back_with_everything_typed(
    browser_page, live_server, action, monkeypatch
):
    page = browser_page
    people = [p for p in realworld.supporters() if p.get("message")]
    person = next(p for p in people if p["country"] == "EG")  # Arabic, right to left
    with monkeypatch.context() as past:
        # The composer was opened seven hours ago (its token lives six).
        long_ago = time.time() - 7 * 3600
        past.setattr(itsdangerous.timed.time, "time", lambda: long_ago)
        page.goto(f"{live_server}/actions/{action.slug}/write")
    typed = {
        "Your name": person["name"],
        "Your email address": person["email"],
        "Street address (optional)": person["street"],
        "Town or city": person["city"],
        "Your personal paragraph (optional)": person["message"],
    }
    for label, value in typed.items():
        page.get_by_label(label).fill(value)
    page.get_by_label("Country").select_option(person["country"])
    body = page.get_by_label("Letter text")
    edited = body.input_value() + "\n" + person["message"]
    body.fill(edited)
    page.get_by_label("I agree that").check()
    page.wait_for_timeout(1100)  # the app turns away posts faster than a person (1 s in tests)
    page.get_by_role("button", name="Preview my letter").click()

    expect(page.get_by_role("alert")).to_contain_text("we renewed its security check")
    for label, value in typed.items():
        assert page.get_by_label(label).input_value() == value, label
    assert page.get_by_label("Letter text").input_value() == edited
    assert page.get_by_label("Country").input_value() == person["country"]
    assert page.get_by_label("I agree that").is_checked()
    # Pressing the button again goes through with the renewed token.
    page.get_by_role("button", name="Preview my letter").click()
    expect(page.get_by_role("heading", name="Check your letter")).to_be_visible()
    page.get_by_role("button", name="Print and post").click()
    expect(page.get_by_role("heading", name=f"Thank you, {person['name']}!")).to_be_visible()
