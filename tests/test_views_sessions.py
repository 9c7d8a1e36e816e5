"""Organiser sessions end on the server; production cookies and HSTS; tokens kept out of logs."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.cookies import SimpleCookie

import pytest
from flask import url_for
from werkzeug.serving import make_server

from actionapp.web.accesslog import MASK, mask_tokens
from tests.fixtures_email import free_port
from tests.fixtures_organise import sign_in

PRODUCTION = {
    "ENV": "production",
    "SECRET_KEY": "a-real-secret-for-this-test-only-0123456789",
    "PUBLIC_URL": "https://act.example.org",
}
TOKEN = "Zk3-secret_CapabilityToken42"


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(app, make_organiser):
    organiser = make_organiser("admin")
    client = app.test_client()
    assert sign_in(client, organiser.email).status_code == 303
    copied = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
    assert thief.get("/organise/privacy").status_code == 200  # the copy works while signed in
    assert client.post("/auth/sign-out").status_code == 303
    after = thief.get("/organise/privacy")
    assert after.status_code == 302
    assert after.headers["Location"].startswith("/auth/sign-in")
    # Signing in again gives a new session; the old copy stays dead.
    assert sign_in(client, organiser.email).status_code == 303
    assert client.get("/organise/privacy").status_code == 200
    assert thief.get("/organise/privacy").status_code == 302


def test_production_session_cookie_has_the_host_prefix(make_app, action):
    app = make_app(**PRODUCTION, WTF_CSRF_ENABLED=True)  # the form's token starts a session
    client = app.test_client()
    response = client.get(f"/actions/{action.slug}/write", base_url="https://example.org")
    cookie = SimpleCookie(response.headers["Set-Cookie"])
    assert list(cookie) == ["__Host-session"]
    morsel = cookie["__Host-session"]
    assert morsel["secure"] and morsel["httponly"] and morsel["path"] == "/"
    assert not morsel["domain"]


@pytest.mark.parametrize(
    ("proxies", "base_url", "headers", "sent"),
    [
        (0, "http://example.org", {}, False),
        (0, "https://example.org", {}, True),
        (1, "http://example.org", {}, True),
        (1, "http://example.org", {"X-Forwarded-Proto": "https"}, True),
    ],
)
def test_hsts_is_sent_over_https_and_behind_the_proxy(make_app, proxies, base_url, headers, sent):
    app = make_app(**PRODUCTION, PROXY_COUNT=proxies)
    response = app.test_client().get("/", base_url=base_url, headers=headers)
    assert ("Strict-Transport-Security" in response.headers) is sent
    if sent:
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def token_paths(app) -> list[str]:
    """Return a path for every route that carries a capability token, with TOKEN in it."""
    paths = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "token" in rule.arguments:
                values = {
                    name: "free-huang" if name == "slug" else TOKEN for name in rule.arguments
                }
                paths.append(url_for(rule.endpoint, **values))
    return paths


def test_every_token_route_is_masked(app):
    paths = token_paths(app)
    assert len(paths) >= 6, paths  # confirm (2), thanks, sent, print (2), posted (2)
    for path in paths:
        line = f'127.0.0.1 - - [30/Nov/2026 07:00:00] "GET {path}?x=1 HTTP/1.1" 200 -'
        masked = mask_tokens(line)
        assert TOKEN not in masked and MASK in masked, path
    assert mask_tokens("/actions/free-huang/write") == "/actions/free-huang/write"


def test_the_development_server_log_has_no_tokens(app, caplog):
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            for path in token_paths(app):
                # A made-up token: 404 or 405; the request is logged all the same.
                with contextlib.suppress(urllib.error.HTTPError):
                    urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=120)
    finally:
        server.shutdown()
        thread.join()
    logged = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert len(logged) >= len(token_paths(app))
    assert all(TOKEN not in line for line in logged), logged
    assert any(MASK in line for line in logged)


def test_gunicorn_with_the_shipped_settings_logs_no_tokens(app, database_url, tmp_path):
    port = free_port()
    env = dict(
        os.environ,
        ACTIONAPP_ENV="testing",
        ACTIONAPP_SQLALCHEMY_DATABASE_URI=database_url,
        ACTIONAPP_SECRET_KEY="testing-secret",
    )
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "-c", "python:actionapp.gunicorn_conf",
                "-b", f"127.0.0.1:{port}", "-w", "1", "actionapp:create_app()",
            ],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path,
        )  # fmt: skip
        try:
            paths = token_paths(app)
            deadline = time.monotonic() + 180
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=120)
                    break
                except (urllib.error.URLError, ConnectionError):
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    time.sleep(0.2)
            for path in paths:
                with contextlib.suppress(urllib.error.HTTPError):
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=120)
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log.read_text()
    assert text.count(MASK) >= len(paths), text
    assert TOKEN not in text, text


def test_the_error_log_has_no_tokens(app, caplog, monkeypatch):
    """A fault on a token page is logged (with a traceback), never with the token."""
    from actionapp.email import views as email_views

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")  # stands in for any fault in the view

    monkeypatch.setattr(email_views, "submission_by_confirm_token", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        response = app.test_client().get(f"/confirm/{TOKEN}")
    assert response.status_code == 500
    assert [r for r in caplog.records if r.name == app.logger.name]
    assert TOKEN not in caplog.text  # the message and the traceback alike
