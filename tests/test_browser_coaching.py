"""The composer's coaching beside the letter, with and without JavaScript, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from actionapp.campaigns.seed import create_demo_action
from actionapp.extensions import db
from actionapp.models import utcnow

pytestmark = pytest.mark.browser

AS_IT_STANDS = "Your letter is the model letter as it stands."


@pytest.fixture
def demo(app):
    action = create_demo_action(utcnow())
    db.session.commit()
    return action


def test_coaching_follows_the_typing_with_javascript(browser_page, live_server, demo, tmp_path):
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{live_server}/actions/{demo.slug}/write")
    coaching = page.locator("#coaching")
    expect(coaching).to_contain_text(AS_IT_STANDS)
    page.get_by_label("Country").select_option("GB")
    page.get_by_label("Your personal paragraph (optional)").fill(
        "I am a nurse in Leeds, and this case reminds me of my grandmother's courage. "
        "You idiots should FREE THEM NOW."
    )
    # The live preview's answer carries the measure and the notes; no second request.
    expect(coaching).to_contain_text(re.compile(r"About \d+% of your letter is in your own words"))
    expect(coaching).to_contain_text("idiots")
    expect(coaching).to_contain_text("Capitals read as shouting")
    assert int(coaching.locator("[data-own-share]").get_attribute("data-own-share")) > 0
    page.screenshot(path=tmp_path / "composer-coaching.png", full_page=True)  # to look at
    assert errors == []


@pytest.mark.no_javascript
def test_coaching_shows_on_the_preview_without_javascript(browser_page, live_server, demo):
    page = browser_page
    page.goto(f"{live_server}/actions/{demo.slug}/write")
    expect(page.locator("#coaching")).to_contain_text(AS_IT_STANDS)
    page.get_by_label("Your name").fill("Jane Doe")
    page.get_by_label("Town or city").fill("Leeds")
    page.get_by_label("Country").select_option("GB")
    page.get_by_label("Your personal paragraph (optional)").fill(
        "I am a nurse in Leeds, and this case reminds me of my grandmother's courage."
    )
    page.get_by_label("I agree that").check()
    page.get_by_role("button", name="Preview my letter").click()
    expect(page.get_by_role("heading", name="Check your letter")).to_be_visible()
    coaching = page.locator("#coaching")
    expect(coaching).to_contain_text(re.compile(r"About \d+% of your letter is in your own words"))
    # Never a block: every channel is still offered.
    expect(page.get_by_role("button", name="Print and post")).to_be_visible()
