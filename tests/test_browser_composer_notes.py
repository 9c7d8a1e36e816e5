"""The composer's notes follow the supporter's choices: the embassy copy, and where edits go."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from actionapp.campaigns.seed import create_demo_action
from actionapp.extensions import db
from actionapp.models import utcnow

pytestmark = pytest.mark.browser

UK = "Embassy of the People's Republic of China in the United Kingdom"
US = "Embassy of the People's Republic of China in the United States of America"
NONE = "Where the action lists the embassy in your country"


@pytest.fixture
def demo(app):
    action = create_demo_action(utcnow())
    db.session.commit()
    return action


def test_notes_follow_the_choices_with_javascript(browser_page, live_server, demo, tmp_path):
    page = browser_page
    page.goto(f"{live_server}/actions/{demo.slug}/write")
    hint, note = page.locator("#embassy-hint"), page.locator("#edits-note")
    page.get_by_label("Country").select_option("GB")
    expect(hint).to_contain_text(UK)
    page.get_by_label("Country").select_option("US")
    expect(hint).to_contain_text(US)
    page.get_by_label("Country").select_option("BR")
    expect(hint).to_contain_text(NONE)
    # Writing in English to a Chinese court and prosecutor: the edits do not reach them.
    expect(note).to_contain_text("do not reach President of the Guangzhou")
    expect(note).to_contain_text("Chinese")
    # Writing in Chinese, with the British embassy's English copy: the note names the embassy.
    page.get_by_label("Country").select_option("GB")
    page.get_by_label("Language you write in").select_option("zh")
    expect(note).to_contain_text(UK)
    expect(note).not_to_contain_text("President of the Guangzhou")
    page.screenshot(path=tmp_path / "composer-notes.png", full_page=True)  # to look at


@pytest.mark.no_javascript
def test_notes_follow_the_choices_without_javascript(browser_page, live_server, demo):
    page = browser_page
    page.goto(f"{live_server}/actions/{demo.slug}/write")
    page.get_by_label("Your name").fill("Jane Doe")
    page.get_by_label("Town or city").fill("Boston")
    page.get_by_label("Country").select_option("US")
    page.get_by_label("I agree that").check()
    page.get_by_role("button", name="Preview my letter").click()
    page.get_by_role("button", name="Back to editing").click()
    expect(page.locator("#embassy-hint")).to_contain_text(US)
    expect(page.locator("#edits-note")).to_contain_text("do not reach President of the Guangzhou")
