"""An organiser in a real browser: signing in, and the model letter preview following the typing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from actionapp.campaigns.seed import create_demo_action
from actionapp.extensions import db
from actionapp.models import utcnow
from tests.fixtures_organise import PASSWORD

pytestmark = pytest.mark.browser


def test_model_letter_preview_follows_the_typing(browser_page, live_server, make_organiser):
    action = create_demo_action(utcnow())
    db.session.commit()
    letter = next(m for m in action.model_letters if m.language == "en")
    make_organiser("editor", "editor@example.org")
    page = browser_page
    page.goto(f"{live_server}/auth/sign-in")
    page.get_by_label("Email address").fill("editor@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/organise/actions/{action.id}/letters/{letter.id}/edit")
    body = page.locator("form.letter-editor textarea[name=body]")
    body.fill("Dear {{ target.name }}, we write about <b>the case</b>.")
    preview = page.locator("#letter-preview")
    expect(preview).to_contain_text("we write about <b>the case</b>.")
    expect(preview).to_contain_text("Dear President of the Guangzhou Intermediate")
