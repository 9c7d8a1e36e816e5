"""Nothing typed is lost: every error page after a composer post gives back everything typed.

Each test posts every real-world supporter (many scripts, right to left, combining accents,
emoji, the longest paragraph) and reads every field back from the page that answers.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager

import itsdangerous.timed
import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from actionapp.extensions import db
from actionapp.models import ActionStatus, Submission
from tests import realworld
from tests.builders import make_chinese_case
from tests.conftest import compose_data, csrf_token_from, started_stamp
from tests.pagefields import page_fields

TYPED = ("name", "email", "street_address", "city", "body", "personal_message")
CHOSEN = ("country", "language", "variant", "client_key")


@pytest.fixture
def action(app):
    """Targets written to in Chinese beside the English letter, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def supporter_post(app, action, person, **overrides) -> dict:
    """Return a composer post with everything a real-world supporter types."""
    message = person.get("message") or f"{person['name']}, {person['city']}"
    return compose_data(
        action,
        name=person["name"],
        email=person["email"],
        street_address=person["street"],
        city=person["city"],
        country=person["country"],
        language=person["language"],
        # An edited letter in the supporter's own script.
        body=f"{person['name']}\n{person['city']}\n\n{message}",
        personal_message=message,
        started=started_stamp(app),
        **overrides,
    )


def assert_all_back(html: str, data: dict, skip=()) -> None:
    """Every field the supporter filled in comes back with its exact value."""
    fields = page_fields(html)
    for name in (*TYPED, *CHOSEN):
        if name in skip:
            continue
        assert fields.get(name) == [data[name]], (name, fields.get(name), data[name])
    assert sorted(fields.get("targets", [])) == sorted(data["targets"])
    if "consent_processing" not in skip:
        assert fields.get("consent_processing") == ["y"]


def recorded() -> int:
    db.session.rollback()  # see what the app committed
    return db.session.scalar(select(func.count(Submission.id)))


def test_422_keeps_every_field(client, app, action):
    for person in realworld.supporters():
        data = supporter_post(app, action, person, channel="print")
        del data["consent_processing"]
        response = client.post(f"/actions/{action.slug}/write", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, person["why"]
        assert "We can only send your letter with your agreement." in html
        assert_all_back(html, data, skip=("consent_processing",))
    assert recorded() == 0


def test_409_already_written_keeps_every_field(client, app, action):
    action.require_email_confirmation = False
    db.session.commit()
    for person in realworld.accepted_supporters():
        first = supporter_post(app, action, person, channel="email")
        assert client.post(f"/actions/{action.slug}/write", data=first).status_code == 303
        again = supporter_post(app, action, person, channel="email")
        response = client.post(f"/actions/{action.slug}/write", data=again)
        assert response.status_code == 409, person["why"]
        assert_all_back(response.get_data(as_text=True), again)


def test_410_shows_the_outcome_and_the_text_to_copy(client, app, action):
    action.status = ActionStatus.CLOSED
    db.session.commit()
    for person in realworld.accepted_supporters():
        data = supporter_post(app, action, person, channel="print")
        response = client.post(f"/actions/{action.slug}/write", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 410
        assert "This action is closed" in html and "What you wrote" in html
        fields = page_fields(html)
        for name in TYPED:
            expected = [data[name]] if data[name] else None  # nothing to copy: no box
            assert fields.get(f"kept-{name}") == expected, (name, person["why"])
    assert recorded() == 0


def test_429_keeps_every_field_and_sending_again_works(make_app, action):
    app = make_app(RATELIMIT_ENABLED=True, SUBMIT_RATE_LIMIT="1 per minute")
    client = app.test_client()
    slug = action.slug
    people = realworld.accepted_supporters()
    first = supporter_post(app, action, people[0], channel="print")
    assert client.post(f"/actions/{slug}/write", data=first).status_code == 303
    for person in people:
        data = supporter_post(app, action, person, channel="print")
        response = client.post(f"/actions/{slug}/write", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 429, person["why"]
        assert "please wait a minute and press the button again" in html
        assert "How do you want to send it?" in html  # the preview, its send buttons
        assert_all_back(html, data)
        # A preview spends no sending budget: the supporter can still go back and edit.
        preview = {k: v for k, v in data.items() if k != "channel"}
        assert client.post(f"/actions/{slug}/write", data=preview).status_code == 200
    assert recorded() == 1


def test_400_expired_csrf_token_renews_it_and_keeps_every_field(make_app, action, monkeypatch):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    slug = action.slug
    # The composer was opened seven hours ago (the token lives six).
    with monkeypatch.context() as past:
        long_ago = time.time() - 7 * 3600
        past.setattr(itsdangerous.timed.time, "time", lambda: long_ago)
        stale = csrf_token_from(client.get(f"/actions/{slug}/write").get_data(as_text=True))
    for person in realworld.accepted_supporters():
        data = supporter_post(app, action, person, channel="print", csrf_token=stale)
        response = client.post(f"/actions/{slug}/write", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, person["why"]
        assert "we renewed its security check" in html
        assert "reload" not in html
        assert_all_back(html, data)
        fresh = csrf_token_from(html)
        assert fresh != stale
        again = client.post(f"/actions/{slug}/write", data={**data, "csrf_token": fresh})
        assert again.status_code == 303, person["why"]
    assert recorded() == len(realworld.accepted_supporters())


@contextmanager
def write_lock_held(database_url: str):
    """Hold the database's write lock (SQLite) or the submissions table (PostgreSQL)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(url.database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as holder:
        # Readers pass (EXCLUSIVE allows ACCESS SHARE); any insert waits for the lock.
        holder.execute("LOCK TABLE submissions IN EXCLUSIVE MODE")
        yield
        holder.rollback()


def test_503_database_busy_keeps_every_field(make_app, action, database_url):
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=200, POSTGRES_LOCK_TIMEOUT_MS=200)
    client = app.test_client()
    slug = action.slug
    people = realworld.accepted_supporters()
    posts = [supporter_post(app, action, p, channel="print") for p in people]
    with write_lock_held(database_url):
        for person, data in zip(people, posts, strict=True):
            response = client.post(f"/actions/{slug}/write", data=data)
            html = response.get_data(as_text=True)
            assert response.status_code == 503, (person["why"], html[:500])
            assert response.headers["Retry-After"]
            assert "everything you typed is below" in html
            assert_all_back(html, data)
    assert recorded() == 0
    # Once the lock is gone, pressing send again records each letter.
    for data in posts:
        assert client.post(f"/actions/{slug}/write", data=data).status_code == 303
    assert recorded() == len(people)


def test_expired_form_for_an_action_closed_meanwhile_shows_the_text_to_copy(make_app, action):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    person = realworld.accepted_supporters()[3]
    action.status = ActionStatus.CLOSED
    db.session.commit()
    data = supporter_post(app, action, person, channel="print", csrf_token="stale")
    response = client.post(f"/actions/{action.slug}/write", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "This action is closed" in html
    fields = page_fields(html)
    for name in TYPED:
        assert fields.get(f"kept-{name}") == ([data[name]] if data[name] else None), name


def test_500_keeps_every_field(client, app, action, monkeypatch):
    # A fault injected where letters are recorded (a bug cannot be made to happen otherwise).
    from actionapp.letters import composer_views as composer

    def broken(*args, **kwargs):
        raise RuntimeError("injected fault")

    monkeypatch.setattr(composer, "record_letters", broken)
    for person in realworld.accepted_supporters():
        data = supporter_post(app, action, person, channel="print")
        response = client.post(f"/actions/{action.slug}/write", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 500, person["why"]
        assert "Everything you typed is below" in html
        assert_all_back(html, data)
    assert recorded() == 0
