"""Writing a solidarity message in a real browser: the checks follow the typing, and the page
works the same without JavaScript."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from actionapp.campaigns.seed import create_demo_action
from actionapp.extensions import db
from actionapp.models import Delivery, Recipient, SolidarityMessage, utcnow
from actionapp.solidarity.messages import SettingsValues, save_settings
from tests.fixtures_organise import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def opened(app):
    """The demo action, taking solidarity messages in English and Chinese."""
    action = create_demo_action(utcnow())
    save_settings(
        action,
        SettingsValues(
            is_open=True,
            recipient=Recipient.PERSON,
            recipient_name="Xueqin",
            languages=["en", "zh"],
            delivery=Delivery.PRINTED,
            postal_address="",
            max_chars=400,
            no_organisation=True,
            no_surnames=True,
            no_places=True,
        ),
        utcnow(),
    )
    db.session.commit()
    return action


def _shots(tmp_path) -> Path:
    # Kept for looking at: ACTIONAPP_SCREENSHOTS=<folder> keeps them after the run.
    return Path(os.environ.get("ACTIONAPP_SCREENSHOTS") or tmp_path)


def test_the_check_follows_the_typing_with_javascript(
    app, browser_page, live_server, opened, tmp_path
):
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{live_server}/actions/{opened.slug}/solidarity")
    organisation = app.config["ORGANISATION_NAME"]
    body = page.get_by_label("Your message", exact=True)
    body.fill(f"Everyone at {organisation} is with you. Call +44 20 7946 0958.")
    check = page.locator("#solidarity-check")
    expect(check.locator('[data-problem="organisation"]')).to_contain_text(
        "the card must not name the organisation"
    )
    expect(check.locator('[data-problem="phone"]')).to_be_visible()
    page.screenshot(path=_shots(tmp_path) / "solidarity-flagged.png", full_page=True)
    body.fill("Everyone here is with you. Keep strong!")
    expect(check.locator("[data-problem]")).to_have_count(0)
    expect(check).to_contain_text("39 of 400 characters")
    page.get_by_label("Your first name").fill("Ana")
    page.get_by_label("Your country").select_option("PT")
    page.wait_for_timeout(1100)  # the form's minimum fill time
    page.get_by_role("button", name="Send my message").click()
    expect(page.get_by_role("heading", name="Thank you for your message")).to_be_visible()
    db.session.rollback()  # end the read snapshot: the server wrote in its own session
    message = db.session.query(SolidarityMessage).one()
    assert (message.body, message.signature) == (
        "Everyone here is with you. Keep strong!",
        "Ana, Portugal",
    )
    assert errors == []


@pytest.mark.no_javascript
def test_without_javascript_the_server_says_the_same_and_keeps_the_text(
    app, browser_page, live_server, opened, tmp_path
):
    page = browser_page
    page.goto(f"{live_server}/actions/{opened.slug}/solidarity")
    typed = "Stay strong! See https://example.org/news for more."
    page.get_by_label("Your message", exact=True).fill(typed)
    page.get_by_label("Your first name").fill("Ana")
    page.get_by_label("Your country").select_option("PT")
    page.wait_for_timeout(1100)
    page.get_by_role("button", name="Send my message").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Please leave out the link https://example.org/news")
    expect(page.get_by_label("Your message", exact=True)).to_have_value(typed)
    page.screenshot(path=_shots(tmp_path) / "solidarity-no-js.png", full_page=True)
    db.session.rollback()  # end the read snapshot: the server wrote in its own session
    assert db.session.query(SolidarityMessage).count() == 0


def test_moderation_by_keyboard_alone(browser_page, live_server, opened, make_organiser, tmp_path):
    from actionapp.models import SignAs
    from actionapp.solidarity.messages import NewMessage, submit_message
    from actionapp.solidarity.safety import SafetyRules

    for n, body in enumerate(["Keep strong, Xueqin.", "We are with you.", "加油！我们想念你。"]):
        new = NewMessage(
            body=body, language="zh" if n == 2 else "en", sign_as=SignAs.FIRST_NAME,
            first_name="Ana", country="", signature="Ana", client_key=f"k{n}",
        )  # fmt: skip
        submit_message(opened, new, SafetyRules(max_chars=400), utcnow())
    db.session.commit()
    first, second, _third = [m.id for m in db.session.query(SolidarityMessage).order_by("id")]
    make_organiser("editor", "editor@example.org")
    page = browser_page
    page.goto(f"{live_server}/auth/sign-in")
    page.get_by_label("Email").fill("editor@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.goto(f"{live_server}/organise/actions/{opened.id}/solidarity/messages")
    # Tick the first two with the keyboard, then press the bulk button.
    page.get_by_label(f"Select message {first}", exact=True).focus()
    page.keyboard.press("Space")
    page.get_by_label(f"Select message {second}", exact=True).focus()
    page.keyboard.press("Space")
    page.screenshot(path=_shots(tmp_path) / "solidarity-moderation.png", full_page=True)
    page.get_by_role("button", name="Approve the ticked messages").focus()
    page.keyboard.press("Enter")
    expect(page.locator("body")).to_contain_text("2 messages approved.")
    expect(page.locator("tbody tr")).to_have_count(1)
    db.session.rollback()
    approved = db.session.query(SolidarityMessage).filter_by(status="approved").count()
    assert approved == 2
