"""The thank-you pages in a real browser: copy buttons only with JavaScript; "posted" seen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from actionapp.extensions import db
from tests.builders import full_letter_fields, make_chinese_case

pytestmark = pytest.mark.browser


@pytest.fixture
def action(app):
    """Two targets in China and a UK embassy copy, with full-length letters in two languages
    (too long for a mailto: link: the thank-you page offers copy buttons)."""
    built = make_chinese_case(letters=[full_letter_fields("en"), full_letter_fields("zh")])
    db.session.commit()
    return built


def _thanks(post_letter, action, channel: str) -> str:
    response = post_letter(action, channel=channel)
    assert response.status_code == 303
    return response.headers["Location"]


@pytest.mark.no_javascript
def test_copy_buttons_are_hidden_without_javascript(browser_page, live_server, post_letter, action):
    browser_page.goto(live_server + _thanks(post_letter, action, "mailto"))
    buttons = browser_page.locator("[data-copy-target]")
    assert buttons.count() >= 3
    for i in range(buttons.count()):
        expect(buttons.nth(i)).to_be_hidden()
    # What they would copy is there to select by hand.
    expect(browser_page.get_by_label("Letter").first).to_be_visible()


def test_copy_buttons_show_and_copy_with_javascript(browser_page, live_server, post_letter, action):
    page = browser_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto(live_server + _thanks(post_letter, action, "mailto"))
    button = page.get_by_role("button", name="Copy the subject").first
    expect(button).to_be_visible()
    button.click()
    expect(button).to_have_attribute("data-copied", "true")
    subject = page.get_by_label("Subject").first.input_value()
    assert page.evaluate("navigator.clipboard.readText()") == subject


@pytest.mark.parametrize("javascript", ["on", pytest.param("off", marks=pytest.mark.no_javascript)])
def test_yes_i_posted_them_shows_the_confirmation_at_the_top(
    browser_page, live_server, post_letter, action, javascript
):
    page = browser_page
    thanks = _thanks(post_letter, action, "print")
    token = thanks.rsplit("/", 1)[-1]
    page.goto(f"{live_server}/actions/{action.slug}/posted/{token}")
    page.get_by_role("button", name="Yes, I posted them").click()
    notice = page.locator("#posted")
    expect(notice).to_contain_text("you told us you posted your letters")
    assert page.url.endswith("#posted")
    box = notice.bounding_box()
    assert -1 <= box["y"] < page.viewport_size["height"]  # on screen, scrolled to it
    if javascript == "on":
        assert page.evaluate("document.activeElement.id") == "posted"


def test_each_reply_answer_sits_beside_its_radio_button(browser_page, live_server, action):
    from tests.test_updates_mail import supporter

    written = supporter(action, "layout@example.org")
    page = browser_page
    page.goto(f"{live_server}/actions/{action.slug}/thanks/{written.public_token}")
    for answer in ("No, no reply yet", "Yes, a reply came by post", "Yes, a reply came by email"):
        radio = page.get_by_role("radio", name=answer).bounding_box()
        label = page.get_by_text(answer, exact=True).bounding_box()
        # On one line: the radio's middle lies within the label's height, the label to its right.
        assert label["y"] <= radio["y"] + radio["height"] / 2 <= label["y"] + label["height"]
        assert label["x"] > radio["x"]
