"""Rate limits: an event behind one network address is recorded whole; abuse is still limited.

The limits here are the shipped defaults (only RATELIMIT_ENABLED is switched back on), in
memory and on Redis storage.
"""

from __future__ import annotations

import uuid

import pytest
import redis
from sqlalchemy import func, select

from actionapp.extensions import db
from actionapp.models import Letter, Submission
from tests import realworld
from tests.builders import make_chinese_case
from tests.conftest import compose_data, started_stamp

REDIS_URL = "redis://127.0.0.1:6379"


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


@pytest.fixture(params=["memory", "redis"])
def limited_app(request, make_app, action):
    """An app with the default limits on, its limiter storage in memory or on Redis."""
    # After action's app: the one limiter object follows the app built last.
    if request.param == "memory":
        yield make_app(RATELIMIT_ENABLED=True)
        return
    # Other runs share this Redis: our own key prefix, and our keys removed afterwards.
    prefix = f"actionapp-test-{uuid.uuid4().hex}"
    yield make_app(
        RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix
    )
    store = redis.Redis.from_url(REDIS_URL)
    keys = list(store.scan_iter(match=f"*{prefix}*"))
    assert keys, "the limiter wrote nothing to Redis"
    store.delete(*keys)
    store.close()


def event_supporters(n: int) -> list[dict]:
    """Return n distinct supporters drawn from the real-world ones (distinct email addresses)."""
    people = realworld.accepted_supporters()
    crowd = []
    for i in range(n):
        person = dict(people[i % len(people)])
        local, domain = person["email"].rsplit("@", 1)
        person["email"] = f"{local}.{i}@{domain}"
        crowd.append(person)
    return crowd


def post_of(app, action, person, **overrides) -> dict:
    data = {
        "name": person["name"],
        "email": person["email"],
        "street_address": person["street"],
        "city": person["city"],
        "country": person["country"],
        "language": person["language"],
        "personal_message": person.get("message", ""),
        "started": started_stamp(app),
    }
    return compose_data(action, **{**data, **overrides})


def test_forty_supporters_behind_one_address_are_all_recorded_and_counted(limited_app, action):
    client = limited_app.test_client()  # every request comes from 127.0.0.1
    slug = action.slug
    for i, person in enumerate(event_supporters(40)):
        data = post_of(limited_app, action, person)
        preview = client.post(f"/actions/{slug}/write", data=data)
        assert preview.status_code == 200, (i, preview.status_code)
        assert "How do you want to send it?" in preview.get_data(as_text=True)
        sent = client.post(f"/actions/{slug}/write", data={**data, "channel": "print"})
        assert sent.status_code == 303, (i, sent.status_code)
        # Printed letters count from their first download: each supporter downloads theirs.
        token = sent.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
        pdf = client.get(f"/actions/{slug}/print/{token}/letters.pdf")
        assert pdf.status_code == 200, (i, pdf.status_code)
    db.session.rollback()  # see what the app committed
    assert db.session.scalar(select(func.count(Submission.id))) == 40
    letters = db.session.scalar(select(func.count(Letter.id)))
    assert letters >= 80  # two officials each, and embassy copies where one is listed
    counts = client.get(f"/api/v1/actions/{slug}").json["counts"]
    assert counts["supporters"] == 40
    assert counts["letters"] == letters
    assert counts["by_channel"]["print"] == letters


def test_one_email_address_hammering_is_limited(limited_app, action):
    client = limited_app.test_client()
    slug = action.slug
    person = realworld.accepted_supporters()[0]
    statuses = []
    for _ in range(7):  # a new composer each time, the same address
        data = post_of(limited_app, action, person, channel="print")
        statuses.append(client.post(f"/actions/{slug}/write", data=data).status_code)
    assert statuses == [303] * 5 + [429] * 2  # SUBMIT_EMAIL_RATE_LIMIT: 5 per minute
    # Another supporter behind the same address is not held back by it.
    other = post_of(limited_app, action, realworld.accepted_supporters()[1], channel="print")
    assert client.post(f"/actions/{slug}/write", data=other).status_code == 303
    db.session.rollback()
    assert db.session.scalar(select(func.count(Submission.id))) == 6


def test_one_composer_posted_again_and_again_is_limited(limited_app, action):
    client = limited_app.test_client()
    data = post_of(
        limited_app, action, realworld.accepted_supporters()[2], channel="print", email=""
    )
    statuses = [
        client.post(f"/actions/{action.slug}/write", data=data).status_code for _ in range(11)
    ]
    # A double click lands on the same thank-you page; the eleventh post in a minute is refused.
    assert statuses == [303] * 10 + [429]
    db.session.rollback()
    assert db.session.scalar(select(func.count(Submission.id))) == 1


def test_an_official_flooded_from_many_addresses_is_limited(make_app, action):
    app = make_app(RATELIMIT_ENABLED=True, SUBMIT_OFFICIAL_RATE_LIMIT="3 per minute")
    target = str(action.targets[0].id)
    statuses = []
    for i, person in enumerate(event_supporters(4)):
        client = app.test_client()
        data = post_of(app, action, person, channel="print", targets=[target])
        address = {"REMOTE_ADDR": f"192.0.2.{i + 1}"}
        response = client.post(f"/actions/{action.slug}/write", data=data, environ_base=address)
        statuses.append(response.status_code)
    assert statuses == [303, 303, 303, 429]
