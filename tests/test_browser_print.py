"""Supporter text in the composer's preview carries its own direction in a real browser."""

from __future__ import annotations

import pytest

from actionapp.campaigns.seed import create_demo_action
from actionapp.extensions import db
from actionapp.models import utcnow
from tests.realworld import supporters

pytestmark = [pytest.mark.browser, pytest.mark.no_javascript]

RIGHT_TO_LEFT = [p for p in supporters() if p.get("message") and "Arabic" in p["why"]]


@pytest.fixture
def demo(app):
    action = create_demo_action(utcnow())
    db.session.commit()
    return action


@pytest.mark.parametrize("person", RIGHT_TO_LEFT, ids=lambda p: p["why"][:30])
def test_right_to_left_paragraph_and_signature_are_set_right_to_left(
    browser_page, live_server, demo, person
):
    page = browser_page
    page.goto(f"{live_server}/actions/{demo.slug}/write")
    page.get_by_label("Your name").fill(person["name"])
    page.get_by_label("Town or city").fill(person["city"])
    page.get_by_label("Country").select_option(person["country"])
    page.get_by_label("Your personal paragraph (optional)").fill(person["message"])
    page.get_by_label("I agree that").check()
    page.wait_for_timeout(1100)  # the app turns away posts faster than a person
    page.get_by_role("button", name="Preview my letter").click()
    personal = page.locator(".letter-sheet:not(.translation) .personal").first
    assert personal.inner_text() == person["message"]
    assert personal.evaluate("e => getComputedStyle(e).direction") == "rtl"
    signature = page.locator(".letter-sheet:not(.translation) .signature").first
    # The name is set right to left inside a line that reads in the letter's direction, so the
    # place ("town, country") keeps its order in a Chinese or English letter.
    name = signature.locator("bdi")
    assert name.inner_text() == person["name"]
    assert name.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert signature.evaluate("e => getComputedStyle(e).direction") == "ltr"
    # English text beside it stays left to right.
    english = page.locator(".letter-sheet[lang=en] .letter-text").first
    assert english.evaluate("e => getComputedStyle(e).direction") == "ltr"
