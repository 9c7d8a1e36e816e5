"""The action page cache in front of Flask: what it serves, for whom, and for how long."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from flask import request_started

from actionapp.campaigns.public_views import page_keep_until
from actionapp.extensions import db
from actionapp.models import ActionStatus, utcnow
from actionapp.web.pagecache import CachedPage, PageCache


class FlaskRequests:
    """Count the requests that reach Flask's request handling."""

    def __init__(self, app):
        self.app = app
        self.count = 0

    def __enter__(self):
        request_started.connect(self._seen, self.app)
        return self

    def __exit__(self, *exc):
        request_started.disconnect(self._seen, self.app)

    def _seen(self, sender, **extra):
        self.count += 1


def test_a_current_page_is_served_again_without_flask(app, client, action):
    path = f"/actions/{action.slug}"
    with FlaskRequests(app) as flask_requests:
        first = client.get(path, headers={"Accept-Language": "en"})
        second = client.get(path, headers={"Accept-Language": "en"})
    assert flask_requests.count == 1
    assert second.status_code == 200
    assert second.get_data() == first.get_data()
    # The kept response carries the headers Flask's hooks added, not only the HTML.
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert second.headers["X-Content-Type-Options"] == "nosniff"
    assert set(second.headers["Vary"].split(", ")) >= {"Cookie", "Accept-Language"}


def test_each_language_has_its_own_page(client, action):
    path = f"/actions/{action.slug}"
    english = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    chinese = client.get(path, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "letters" in english and "letters" not in chinese
    client.set_cookie("lang", "zh")
    chosen = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert chosen == chinese


def test_closing_an_action_shows_at_once(client, action):
    path = f"/actions/{action.slug}"
    assert "Open for letters" in client.get(path).get_data(as_text=True)
    action.status = ActionStatus.CLOSED
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert "Open for letters" not in page and "Closed" in page


def test_unknown_and_draft_actions_still_answer_404(client, action):
    assert client.get("/actions/no-such-action").status_code == 404
    action.status = ActionStatus.DRAFT
    db.session.commit()
    assert client.get(f"/actions/{action.slug}").status_code == 404


def test_a_page_is_kept_a_minute_at_most_and_never_past_the_deadline(action):
    now = utcnow()
    since_epoch = now.replace(tzinfo=UTC).timestamp()
    action.deadline = now + timedelta(days=3)
    assert page_keep_until(action, now) - since_epoch == pytest.approx(60)
    action.deadline = now + timedelta(seconds=5)
    assert page_keep_until(action, now) - since_epoch == pytest.approx(5)


def test_the_cache_forgets_pages_past_their_time():
    cache = PageCache(size=2)
    page = CachedPage("200 OK", [], b"page", keep_until=100.0)
    cache.put("a", page)
    assert cache.get("a", 99.0) is page
    assert cache.get("a", 100.0) is None
    cache.put("b", page)
    cache.put("c", page)
    assert cache.get("a", 0.0) is None  # the oldest gave way to newer pages


def test_a_page_rendered_for_a_visitor_with_a_session_is_not_kept(app, client, action):
    path = f"/actions/{action.slug}"
    with client.session_transaction() as session:
        session["_user_id"] = "someone"
    with FlaskRequests(app) as flask_requests:
        client.get(path)
        client.get(path)
    assert flask_requests.count == 2
