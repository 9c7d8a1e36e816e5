"""Redirect targets from visitors (``next``): every known open-redirect bypass stays on the site."""

from __future__ import annotations

from urllib.parse import quote, urljoin, urlsplit

import pytest

from actionapp.web.redirects import safe_redirect_target
from tests.fixtures_organise import sign_in

ORIGIN = "http://localhost"

# What the app receives as the value of ``next`` (already decoded once by the query string).
# From the OWASP unvalidated-redirects cheat sheet, PortSwigger's URL-validation bypass list and
# PayloadsAllTheThings "Open Redirect"; each must fall back.
BYPASSES = [
    "//evil.example",
    "///evil.example",
    "////evil.example/",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\t\t/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%5Cevil.example",
    "/%5c/evil.example",
    "/%252F/evil.example",
    "/%25252F%25252Fevil.example",
    "%2F%2Fevil.example",
    "https://evil.example",
    "HTTPS://evil.example",
    "http:evil.example",
    "https:/evil.example",
    "https:\\\\evil.example",
    "//evil.example@localhost",
    "//localhost@evil.example",
    "//evil%2Eexample",
    "//evil。example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\u202e//evil.example",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "/actions/x\r\nSet-Cookie: stolen=1",
    "/actions/x%0d%0aSet-Cookie:%20stolen=1",
    "evil.example",
    ".evil.example",
    "",
    "/" + "a" * 600,
]

# Paths on the site; they are kept (IRIs come back percent-encoded).
KEPT = [
    ("/", "/"),
    ("/actions/free-huang-and-wang", "/actions/free-huang-and-wang"),
    ("/actions/x?lang=zh&page=2", "/actions/x?lang=zh&page=2"),
    ("/organise/privacy", "/organise/privacy"),
    ("/actions/café", "/actions/caf%C3%A9"),
    ("/actions/x#sent", "/actions/x#sent"),
    ("/language/en?next=/actions/x", "/language/en?next=/actions/x"),
]


def browser_destination(location: str) -> str:
    """Return the host a browser would go to for this Location, as WHATWG URL parsing reads it."""
    cleaned = location.strip("\x00 \t\n\r\x0c").replace("\t", "").replace("\n", "")
    cleaned = cleaned.replace("\r", "").replace("\\", "/")
    return urlsplit(urljoin(ORIGIN + "/page", cleaned)).netloc


@pytest.mark.parametrize("target", BYPASSES)
def test_the_check_falls_back_for_every_known_bypass(target):
    assert safe_redirect_target(target, "/fallback") == "/fallback"


@pytest.mark.parametrize(("target", "location"), KEPT)
def test_the_check_keeps_paths_on_the_site(target, location):
    assert safe_redirect_target(target, "/fallback") == location


@pytest.mark.parametrize("target", BYPASSES)
def test_the_language_switch_stays_on_the_site(client, target):
    response = client.get("/language/en?next=" + quote(target, safe=""))
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert browser_destination(response.headers["Location"]) == "localhost"


@pytest.mark.parametrize(("target", "location"), KEPT)
def test_the_language_switch_goes_back_to_the_page(client, target, location):
    response = client.get("/language/zh?next=" + quote(target, safe=""))
    assert response.headers["Location"] == location


def test_sign_in_next_stays_on_the_site(app, make_organiser):
    organiser = make_organiser("viewer")
    dashboard = "/organise/"
    for target in BYPASSES:
        client = app.test_client()
        page = client.get("/auth/sign-in?next=" + quote(target, safe=""))
        assert page.status_code == 200
        response = client.post(
            "/auth/sign-in",
            data={
                "email": organiser.email,
                "password": "correct horse battery staple",
                "next": target,
            },
        )
        assert response.status_code == 303, target
        assert urlsplit(response.headers["Location"]).path == dashboard, target
        assert browser_destination(response.headers["Location"]) == "localhost"
        # Already signed in: the GET redirects at once, through the same check.
        again = client.get("/auth/sign-in?next=" + quote(target, safe=""))
        assert again.status_code == 303
        assert urlsplit(again.headers["Location"]).path == dashboard, target


def test_sign_in_next_keeps_the_page_asked_for(app, make_organiser):
    organiser = make_organiser("admin")
    client = app.test_client()
    response = sign_in(client, organiser.email)
    assert response.status_code == 303
    client.post("/auth/sign-out")
    response = client.post(
        "/auth/sign-in",
        data={
            "email": organiser.email,
            "password": "correct horse battery staple",
            "next": "/organise/privacy",
        },
    )
    assert response.headers["Location"] == "/organise/privacy"
