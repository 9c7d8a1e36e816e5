"""An organiser emails an update in a real browser; a supporter unsubscribes through the page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from actionapp.campaigns.seed import create_demo_action
from actionapp.extensions import db
from actionapp.models import MessageKind, OutboxMessage, Unsubscription, utcnow
from tests.fixtures_organise import PASSWORD
from tests.test_updates_mail import ZH_TITLE, new_update, supporter

pytestmark = pytest.mark.browser


def test_organiser_sends_an_update_once_and_a_supporter_leaves_all(
    browser_page, live_server, make_organiser, tmp_path
):
    action = create_demo_action(utcnow())
    db.session.commit()
    supporter(action, "en-reader@example.org", "en")
    supporter(action, "zh-reader@example.org", "zh")
    new_update(action)
    make_organiser("editor", "editor@example.org")
    page = browser_page
    page.goto(f"{live_server}/auth/sign-in")
    page.get_by_label("Email address").fill("editor@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/organise/actions/{action.id}")
    page.get_by_role("link", name=re.compile("Email to supporters")).click()
    send = page.get_by_role("button", name="Send to 2 supporters")
    expect(send).to_be_visible()
    expect(page.locator("div[lang^=zh]")).to_contain_text(ZH_TITLE)
    page.screenshot(path=str(tmp_path / "update-email.png"), full_page=True)
    send.dblclick()
    expect(page.locator("#updates")).to_be_visible()
    expect(page.get_by_text("emailed to 2 supporters")).to_be_visible()
    page.screenshot(path=str(tmp_path / "update-sent.png"), full_page=True)

    db.session.rollback()
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == MessageKind.UPDATE)
    ).all()
    assert len(messages) == 2  # the double click queued each once
    # Each message carries its recipient's own link, filled into its language's email.
    link = next(m.link for m in messages if m.recipient == "zh-reader@example.org")
    visitor = page.context.browser.new_context(locale="zh-CN").new_page()
    visitor.goto(live_server + "/u/" + link.rpartition("/u/")[2])
    visitor.get_by_role("button", name="退订所有行动的更新").click()
    expect(visitor.get_by_role("status")).to_contain_text("完成")
    visitor.screenshot(path=str(tmp_path / "unsubscribed.png"), full_page=True)
    visitor.context.close()
    db.session.rollback()
    assert [r.scope for r in db.session.scalars(select(Unsubscription))] == ["all"]
