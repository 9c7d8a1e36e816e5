"""Security headers, CSRF, request limits, cookies and configuration."""

from __future__ import annotations

import re

import pytest

from actionapp import create_app
from actionapp.extensions import db
from tests.builders import make_chinese_case
from tests.conftest import compose_data, csrf_token_from, started_stamp


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def test_every_response_carries_the_security_headers(client, action):
    for path in (
        "/",
        f"/actions/{action.slug}",
        "/nope",
        f"/api/v1/actions/{action.slug}",
    ):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_pages_load_nothing_from_another_host(client, action, app):
    pages = [
        client.get("/").get_data(as_text=True),
        client.get(f"/actions/{action.slug}").get_data(as_text=True),
        client.get(f"/actions/{action.slug}/write").get_data(as_text=True),
        client.post(
            f"/actions/{action.slug}/write",
            data=compose_data(action, started=started_stamp(app)),
        ).get_data(as_text=True),
    ]
    for page in pages:
        loaded = re.findall(r'\bsrc="([^"]*)"', page) + re.findall(
            r'<link[^>]*href="([^"]*)"', page
        )
        assert loaded, "the page loads its own assets"
        for url in loaded:
            assert url.startswith("/") and not url.startswith("//"), url
        assert "<script>" not in page and " style=" not in page


def test_csrf_is_required_on_the_composer(make_app, action):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    data = compose_data(action, started=started_stamp(app), channel="print")
    refused = client.post(f"/actions/{action.slug}/write", data=data)
    assert refused.status_code == 400
    assert "we renewed its security check" in refused.get_data(as_text=True)  # composer kept
    page = client.get(f"/actions/{action.slug}/write").get_data(as_text=True)
    data["csrf_token"] = csrf_token_from(page)
    accepted = client.post(f"/actions/{action.slug}/write", data=data)
    assert accepted.status_code == 303


def test_oversized_requests_are_refused(client, action):
    data = compose_data(action, personal_message="x" * 300_000)
    response = client.post(f"/actions/{action.slug}/write", data=data)
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_session_cookie_is_httponly_lax_and_secure_in_production(
    monkeypatch, database_url, action, env_app
):
    monkeypatch.setenv("ACTIONAPP_SECRET_KEY", "a-real-secret-for-this-test-only-0123456789")
    monkeypatch.setenv("ACTIONAPP_PUBLIC_URL", "https://example.org")
    app = env_app({"SQLALCHEMY_DATABASE_URI": database_url})
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    client = app.test_client()
    response = client.get(f"/actions/{action.slug}/write", base_url="https://example.org")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("ACTIONAPP_SECRET_KEY", raising=False)
    monkeypatch.delenv("ACTIONAPP_ENV", raising=False)
    with pytest.raises(RuntimeError, match="ACTIONAPP_SECRET_KEY is not set"):
        create_app()


def test_every_key_can_come_from_the_environment(monkeypatch, database_url, env_app):
    monkeypatch.setenv("ACTIONAPP_SECRET_KEY", "another-secret-for-this-test-0123456789")
    monkeypatch.setenv("ACTIONAPP_ORGANISATION_NAME", "Writers for Rights")
    monkeypatch.setenv("ACTIONAPP_MIN_FILL_SECONDS", "7")
    monkeypatch.setenv("ACTIONAPP_PUBLIC_URL", "https://act.example.org")
    monkeypatch.setenv("ACTIONAPP_SQLALCHEMY_DATABASE_URI", database_url)
    app = env_app()
    assert app.config["ORGANISATION_NAME"] == "Writers for Rights"
    assert app.config["MIN_FILL_SECONDS"] == 7
    assert app.config["SQLALCHEMY_DATABASE_URI"] == database_url


def test_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("ACTIONAPP_ENV", "staging")
    with pytest.raises(RuntimeError, match="ACTIONAPP_ENV must be one of"):
        create_app()


def test_language_switch_only_redirects_within_the_site(client):
    response = client.get("/language/zh?next=//evil.example/")
    assert response.headers["Location"] == "/"
    assert "lang=zh" in response.headers["Set-Cookie"]


def test_reading_pages_sets_no_cookie(client, action):
    for path in ("/", f"/actions/{action.slug}", f"/api/v1/actions/{action.slug}"):
        assert "Set-Cookie" not in client.get(path).headers, path


def _counter(page: str) -> str:
    return re.search(r'class="counter-figure"><strong>([\d,]+)</strong> letters', page).group(1)


def test_action_page_cache_follows_edits_and_counts(client, post_letter, action):
    assert _counter(client.get(f"/actions/{action.slug}").get_data(as_text=True)) == "0"
    token = post_letter(action).headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/actions/{action.slug}/print/{token}/letters.pdf").status_code == 200
    assert _counter(client.get(f"/actions/{action.slug}").get_data(as_text=True)) == "3"
    action.targets[0].why = "A brand new reason to write."
    db.session.commit()
    page = client.get(f"/actions/{action.slug}").get_data(as_text=True)
    assert "A brand new reason to write." in page and _counter(page) == "3"
