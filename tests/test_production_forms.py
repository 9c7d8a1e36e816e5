"""Forms work in production behind HTTPS, where pages tell browsers to send no Referer."""

from __future__ import annotations

import pytest

from tests.conftest import compose_data, csrf_token_from, started_stamp


@pytest.fixture
def production_app(monkeypatch, database_url, env_app):
    """The app as production runs it: HTTPS (behind the proxy), CSRF on, real settings."""
    monkeypatch.setenv("ACTIONAPP_ENV", "production")
    monkeypatch.setenv("ACTIONAPP_SECRET_KEY", "a-real-secret-for-this-test-only-0123456789")
    monkeypatch.setenv("ACTIONAPP_PUBLIC_URL", "https://act.example.org")
    monkeypatch.setenv("ACTIONAPP_MIN_FILL_SECONDS", "0")
    return env_app({"SQLALCHEMY_DATABASE_URI": database_url})


def test_a_letter_can_be_posted_over_https_without_a_referer(production_app, action):
    client = production_app.test_client()
    base = "https://act.example.org"
    page = client.get(f"/actions/{action.slug}/write", base_url=base)
    # The site's own policy: browsers send no Referer header with any request from its pages.
    assert page.headers["Referrer-Policy"] == "no-referrer"
    data = compose_data(action, started=started_stamp(production_app), channel="print")
    data["csrf_token"] = csrf_token_from(page.get_data(as_text=True))
    posted = client.post(f"/actions/{action.slug}/write", data=data, base_url=base)
    assert posted.status_code == 303, posted.get_data(as_text=True)[-600:]
    # The token is still required.
    data.pop("csrf_token")
    refused = client.post(f"/actions/{action.slug}/write", data=data, base_url=base)
    assert refused.status_code == 400
