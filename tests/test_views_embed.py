"""The embeddable counter: no cookies, nothing from elsewhere, framable by any site."""

from __future__ import annotations

import re

import pytest

from actionapp.extensions import db
from actionapp.models import ActionStatus, Channel
from tests.builders import make_chinese_case
from tests.fixtures_organise import add_letters


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def test_counter_shows_the_count_without_cookies(signed_in, action, client):
    add_letters(action, Channel.PRINT, "GB", "p-a")
    url = f"/embed/actions/{action.slug}/counter"
    for visitor in (client, signed_in("admin")):  # a signed-in session is not refreshed either
        response = visitor.get(url)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors *" in csp and "default-src 'none'" in csp
        assert "script-src" not in csp and "unsafe-inline" not in csp
        assert "X-Frame-Options" not in response.headers
        text = response.get_data(as_text=True)
        assert "<strong>3</strong> letters" in text
        assert "<script" not in text and " style=" not in text
        for link in re.findall(r'(?:src|href)="([^"]+)"', text):
            assert link.startswith("/static/") or link.startswith("http://localhost/actions/")


def test_counter_speaks_the_chosen_language_and_hides_drafts(client, action):
    text = client.get(f"/embed/actions/{action.slug}/counter?lang=zh").get_data(as_text=True)
    assert '<html lang="zh-CN">' in text
    action.status = ActionStatus.DRAFT
    db.session.commit()
    assert client.get(f"/embed/actions/{action.slug}/counter").status_code == 404
