"""The supporter's whole journey in a real browser, with and without JavaScript, plus axe scans."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from actionapp.campaigns.seed import create_demo_action
from actionapp.extensions import db
from actionapp.models import utcnow

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}


@pytest.fixture
def demo(app):
    action = create_demo_action(utcnow())
    db.session.commit()
    return action


def _watch_requests(page, origin: str) -> list[str]:
    foreign: list[str] = []

    def check(request):
        if not (request.url.startswith(origin) or request.url.startswith("data:")):
            foreign.append(request.url)

    page.on("request", check)
    return foreign


def _axe_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


def _journey(page, live_server, demo, scans: dict | None = None):
    """Walk from the home page to the thank-you page; return the thank-you page's text."""
    page.goto(live_server + "/")
    if scans is not None:
        scans["home"] = _axe_violations(page)
    page.get_by_role("link", name=demo.title).click()
    expect(page.locator(".counter-figure strong")).to_have_text("0")
    if scans is not None:
        scans["action"] = _axe_violations(page)
    page.get_by_role("link", name="Write your letter").first.click()
    page.get_by_label("Your name").fill("Jane Doe")
    page.get_by_label("Your email address").fill("jane@example.org")
    page.get_by_label("Town or city").fill("Leeds")
    page.get_by_label("Country").select_option("GB")
    page.get_by_label("Your personal paragraph (optional)").fill("I teach <b>history</b>.")
    page.get_by_label("I agree that").check()
    if scans is not None:
        scans["composer"] = _axe_violations(page)
    page.wait_for_timeout(1100)  # the app turns away posts faster than a person (1 s in tests)
    page.get_by_role("button", name="Preview my letter").click()
    expect(page.get_by_role("heading", name="Check your letter")).to_be_visible()
    assert page.get_by_text("尊敬的院长：").first.is_visible()
    assert page.get_by_text("I teach <b>history</b>.").first.is_visible()
    # Going back to edit keeps everything typed.
    page.get_by_role("button", name="Back to editing").click()
    assert page.get_by_label("Your name").input_value() == "Jane Doe"
    assert page.get_by_label("Your personal paragraph (optional)").input_value() == (
        "I teach <b>history</b>."
    )
    page.get_by_role("button", name="Preview my letter").click()
    if scans is not None:
        scans["preview"] = _axe_violations(page)
    page.get_by_role("button", name="Print and post").click()
    # expect() waits for the page the click loads (a bare is_visible() may look too early).
    expect(page.get_by_role("heading", name="Thank you, Jane Doe!")).to_be_visible()
    if scans is not None:
        scans["thanks"] = _axe_violations(page)
    text = page.inner_text("main")
    # Printed letters count once their PDF is downloaded, not before.
    page.get_by_role("link", name="Back to the action").click()
    expect(page.locator(".counter-figure strong")).to_have_text("0")
    page.go_back()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your 3 letters (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.get_by_role("link", name="Back to the action").click()
    expect(page.locator(".counter-figure strong")).to_have_text("3")
    return text


def test_journey_with_javascript_and_live_preview(browser_page, live_server, demo):
    page = browser_page
    foreign = _watch_requests(page, live_server)
    page.goto(f"{live_server}/actions/{demo.slug}/write")
    page.get_by_label("Your name").fill("Mei Ling")
    page.get_by_label("Country").select_option("DE")
    # The live preview follows the typing, and adds the embassy copy for the chosen country.
    expect(page.locator("#live-preview")).to_contain_text("Mei Ling")
    preview = page.inner_text("#live-preview")
    assert "Germany" in preview or "Deutschland" in preview
    assert "Your Excellency," in preview
    text = _journey(page, live_server, demo)
    assert "Your 3 letters" in text
    assert foreign == []


@pytest.mark.no_javascript
def test_journey_without_javascript(browser_page, live_server, demo):
    foreign = _watch_requests(browser_page, live_server)
    text = _journey(browser_page, live_server, demo)
    assert "Your 3 letters" in text
    assert foreign == []


def test_pages_have_no_serious_accessibility_violations(browser_page, live_server, demo):
    scans: dict[str, list[str]] = {}
    _journey(browser_page, live_server, demo, scans)
    assert set(scans) == {"home", "action", "composer", "preview", "thanks"}
    assert {page: found for page, found in scans.items() if found} == {}


def test_csp_is_not_violated_by_our_pages(browser_page, live_server, demo):
    errors: list[str] = []
    browser_page.on(
        "console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None
    )
    _journey(browser_page, live_server, demo)
    assert errors == []
