"""The supporter's journey in Chinese, with and without JavaScript; deadlines in local time."""

from __future__ import annotations

import re
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from babel.support import Translations
from playwright.sync_api import expect

from actionapp.campaigns.seed import create_demo_action
from actionapp.extensions import db
from actionapp.models import utcnow
from actionapp.web.i18n import deadline_text
from tests.conftest import ROOT
from tests.realworld import supporters

pytestmark = pytest.mark.browser

CATALOGUE = Translations.load(str(ROOT / "actionapp" / "translations"), ["zh"])


def zh(text: str, **values) -> str:
    """Return the interface text as the Chinese catalogue has it (the page's own words)."""
    translated = CATALOGUE.gettext(text)
    assert translated != text, f"not translated: {text}"
    return translated % values if values else translated


@pytest.fixture
def demo(app):
    action = create_demo_action(utcnow())
    db.session.commit()
    return action


@pytest.fixture
def open_page(chromium):
    """Open browser pages with a locale, a time zone and JavaScript on or off."""
    contexts = []

    def open_(locale="zh-CN", timezone="UTC", javascript=True):
        context = chromium.new_context(
            java_script_enabled=javascript,
            locale=locale,
            timezone_id=timezone,
            viewport={"width": 1280, "height": 900},
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_chinese_journey(open_page, live_server, demo, javascript):
    page = open_page(javascript=javascript)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}/actions/{demo.slug}")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_role("link", name=zh("Write your letter")).first.click()
    assert page.url.endswith("/write")
    page.get_by_label(zh("Your name")).fill("陈美玲")
    page.get_by_label(zh("Your email address")).fill("meiling@example.org")
    page.get_by_label(zh("Town or city")).fill("台北")
    page.get_by_label(zh("Country"), exact=True).select_option("TW")
    page.get_by_label(zh("Your personal paragraph (optional)")).fill("我是一名老师。")
    page.locator("#consent_processing").check()
    page.wait_for_timeout(1100)  # the app turns away posts faster than a person (1 s in tests)
    page.get_by_role("button", name=zh("Preview my letter")).click()
    # expect() waits for the next page; is_visible() would look at the one still shown.
    expect(page.get_by_role("heading", name=zh("Check your letter"))).to_be_visible()
    expect(page.get_by_text("我是一名老师。").first).to_be_visible()
    page.get_by_role("button", name=zh("Print and post")).click()
    heading = zh("Thank you, %(name)s!", name="陈美玲")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    text = page.inner_text("main")
    plural = CATALOGUE.ngettext("The letter you wrote", "Your %(num)s letters", 2)
    assert plural != "Your %(num)s letters"
    assert re.search(re.escape(plural).replace(re.escape("%(num)s"), r"\d+"), text), text
    assert errors == []


ZONED = [p for p in supporters() if p.get("timezone")]


@pytest.mark.parametrize("person", ZONED, ids=[p["timezone"] for p in ZONED])
def test_deadline_shows_utc_and_the_visitors_local_time(open_page, live_server, demo, person):
    zone = ZoneInfo(person["timezone"])
    local = demo.deadline.replace(tzinfo=UTC).astimezone(zone)
    page = open_page(locale="en-GB", timezone=person["timezone"])
    page.goto(f"{live_server}/actions/{demo.slug}", wait_until="load")
    deadline = page.locator("p.deadline").first
    expect(deadline.locator("time")).to_have_text(deadline_text(demo.deadline, "en"))
    shown = deadline.locator(".local-time")
    expect(shown).to_have_count(1)
    words = shown.inner_text()
    # The local date (a day later at UTC+14, the same day at UTC-11) and its offset.
    assert str(local.day) in words, words
    assert f"{local:%H:%M}" in words or f"{local:%I:%M}" in words, words
    offset = int(local.utcoffset().total_seconds() // 3600)
    assert f"GMT{offset:+d}" in words, words


def test_without_javascript_the_deadline_is_in_utc_only(open_page, live_server, demo):
    page = open_page(locale="zh-CN", timezone="Pacific/Kiritimati", javascript=False)
    page.goto(f"{live_server}/actions/{demo.slug}")
    deadline = page.locator("p.deadline").first
    expect(deadline.locator("time")).to_have_text(deadline_text(demo.deadline, "zh"))
    assert deadline.locator(".local-time").count() == 0
