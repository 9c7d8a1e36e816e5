"""The action page in Chinese in a real browser: the case in Chinese, a fallback marked English."""

from __future__ import annotations

import os

import pytest
from axe_playwright_python.sync_playwright import Axe

from actionapp.campaigns.case_texts import ActionTextFields, save_action_texts, texts_of
from actionapp.campaigns.seed import create_demo_action, load_demo_data
from actionapp.extensions import db
from actionapp.models import utcnow

pytestmark = pytest.mark.browser

ZH = load_demo_data()["texts"]["zh"]
EN = load_demo_data()["texts"]["en"]


@pytest.fixture
def chinese_page(chromium):
    """A browser context whose language is Simplified Chinese."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _lang_of(page, selector: str) -> str:
    """Return the language the browser gives an element (its nearest lang attribute)."""
    return page.locator(selector).first.evaluate("e => e.closest('[lang]').lang")


def test_the_action_page_reads_in_chinese_with_a_marked_english_fallback(
    app, live_server, chinese_page
):
    action = create_demo_action(utcnow())
    zh = texts_of(action, "zh")
    save_action_texts(action, "zh", ActionTextFields(**{**vars(zh), "background": ""}))
    db.session.commit()
    page = chinese_page
    page.goto(f"{live_server}/actions/{action.slug}")

    assert page.locator("h1").inner_text() == ZH["title"]
    assert _lang_of(page, "h1") == "zh-CN"
    assert page.locator("p.lead").inner_text() == ZH["summary"].strip()
    assert "立即无条件释放" in page.locator("#ask + div, #ask ~ div").first.inner_text()
    # The background is not written in Chinese: English, with a note, and lang="en".
    background = page.locator("#background ~ div[lang]").first
    assert background.get_attribute("lang") == "en"
    assert "Police arrested the two in Guangzhou" in background.inner_text()
    assert page.locator("#background ~ p.fallback-note").inner_text() == (
        "尚无中文版本：以下为英语原文。"
    )
    violations = [
        v["id"]
        for v in Axe().run(page).response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert violations == []
    # For people to look at: ACTIONAPP_SCREENSHOTS=dir keeps a screenshot of the page.
    folder = os.environ.get("ACTIONAPP_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, "action-zh.png"), full_page=True)
