"""On a phone (390 × 844): the call to action in the first screen, the channel choice within two.

Screenshots go to $ACTIONAPP_SCREENSHOTS (when set) to be looked at, not only asserted.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import compose_data

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(chromium, request):
    """A browser context the size of a common phone, JavaScript on unless marked otherwise."""
    javascript = request.node.get_closest_marker("no_javascript") is None
    context = chromium.new_context(
        viewport=PHONE, locale="en-GB", java_script_enabled=javascript, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _shot(page, name: str) -> None:
    folder = os.environ.get("ACTIONAPP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _top(page, locator) -> float:
    """Return an element's top edge in page coordinates (CSS px)."""
    box = locator.bounding_box()
    assert box is not None, "not rendered"
    return box["y"] + page.evaluate("window.scrollY")


def test_action_page_shows_the_call_to_action_in_the_first_screen(phone, live_server, demo_action):
    phone.goto(f"{live_server}/actions/{demo_action.slug}")
    _shot(phone, "phone-action")
    cta = phone.get_by_role("link", name="Write your letter").first
    assert cta.is_visible()
    box = cta.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box


def _to_preview(page, live_server, action) -> None:
    """Fill in the composer as a supporter would and open the preview."""
    page.goto(f"{live_server}/actions/{action.slug}/write")
    data = compose_data(action)
    page.get_by_label("Your name").fill(data["name"])
    page.get_by_label("Town or city").fill(data["city"])
    page.get_by_label("Country").select_option("GB")
    page.get_by_label("Your personal paragraph (optional)").fill(data["personal_message"])
    page.get_by_label("I agree that").check()
    page.wait_for_timeout(1100)  # the app turns away posts faster than a person (1 s in tests)
    page.get_by_role("button", name="Preview my letter").click()
    expect(page.get_by_role("heading", name="Check your letter")).to_be_visible()


@pytest.mark.parametrize("javascript", ["on", pytest.param("off", marks=pytest.mark.no_javascript)])
def test_preview_reaches_the_channel_choice_within_two_screens(
    phone, live_server, demo_action, javascript
):
    _to_preview(phone, live_server, demo_action)
    _shot(phone, f"phone-preview-js-{javascript}")
    letters = phone.locator("details.letter-preview")
    assert letters.count() == 3
    # The first letter is open, the others folded; a tap unfolds one (no script needed).
    assert letters.nth(0).get_attribute("open") is not None
    assert letters.nth(1).get_attribute("open") is None
    choice = phone.get_by_role("heading", name="How do you want to send it?")
    assert _top(phone, choice) < 2 * PHONE["height"]
    first_channel = phone.locator(".channels .channel").first
    assert _top(phone, first_channel) < 2 * PHONE["height"]
    second = letters.nth(1)
    assert not second.locator(".letter-sheet").first.is_visible()
    second.locator(":scope > summary").click()
    assert second.get_attribute("open") is not None
    expect(second.locator(".letter-sheet").first).to_be_visible()
    # On a phone the translation sits under the letter, folded; a tap shows it.
    translation = letters.nth(0).locator("details.translation-fold")
    assert translation.get_attribute("open") is None
    translation.locator(":scope > summary").click()
    expect(translation.locator(".letter-sheet")).to_be_visible()


def test_translation_is_unfolded_beside_the_letter_on_a_wide_screen(
    browser_page, live_server, demo_action
):
    page = browser_page  # 1280 × 900, JavaScript on
    _to_preview(page, live_server, demo_action)
    _shot(page, "wide-preview")
    translation = page.locator("details.letter-preview").first.locator("details.translation-fold")
    expect(translation).to_have_attribute("open", "")
    sheets = page.locator("details.letter-preview").first.locator(".letter-sheet")
    original, translated = sheets.nth(0).bounding_box(), sheets.nth(1).bounding_box()
    assert translated["x"] > original["x"] + original["width"] - 1  # side by side
