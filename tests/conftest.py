"""Shared fixtures: an app on a migrated database (SQLite or PostgreSQL), and helpers."""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from actionapp import create_app
from actionapp.campaigns.seed import create_demo_action
from actionapp.extensions import db
from actionapp.models import utcnow
from tests.builders import make_action

PG_ENV = "ACTIONAPP_TEST_DATABASE_URL"

# Each feature keeps its fixtures in tests/fixtures_<feature>.py; they load as plugins here.
pytest_plugins = sorted(
    f"tests.{path.stem}" for path in Path(__file__).resolve().parent.glob("fixtures_*.py")
)


# --- network guard --------------------------------------------------------------------------


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address) -> bool:
    if isinstance(address, (str, bytes)):  # a unix socket path
        return True
    host = address[0]
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self, address):
    if not _is_local(address):
        raise AssertionError(f"test tried to open a network connection to {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if not _is_local(address):
        raise AssertionError(f"test tried to open a network connection to {address!r}")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail any test that would reach anything but this machine's own test servers."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)


# --- database -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """A freshly migrated database for this run: a SQLite file, or a new PostgreSQL database."""
    base = os.environ.get(PG_ENV)
    if not base:
        path = tmp_path_factory.mktemp("db") / "actionapp-test.db"
        url = f"sqlite:///{path}"
        _migrate(url)
        yield url
        return
    server = make_url(base)
    name = f"actionapp_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        _migrate(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrate(url: str) -> None:
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _empty_tables(app) -> None:
    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(text(f"DELETE FROM {table}"))
        db.session.remove()


class FreshRequestClient(FlaskClient):
    """A test client whose requests start with an empty `g`, as they do in production.

    Tests keep an app context pushed (to use db.session), and Flask reuses it for the
    requests they make; without this, `g` (the interface language, the signed-in organiser)
    would leak from one request into the next.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(vars(g)):
                delattr(g, name)
        return super().open(*args, **kwargs)


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build apps on the test database; every table is emptied after the test."""
    apps = []

    def factory(**config):
        settings = {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": None,
        }
        settings.update(config)
        application = create_app(settings)
        application.test_client_class = FreshRequestClient
        apps.append(application)
        return application

    yield factory
    if apps:
        _empty_tables(apps[0])
        for application in apps:
            with application.app_context():
                db.engine.dispose()


@pytest.fixture
def env_app():
    """Build apps from the environment alone (like gunicorn does); their engines are disposed."""
    apps = []

    def factory(test_config=None):
        application = create_app(test_config)
        apps.append(application)
        return application

    yield factory
    for application in apps:
        with application.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    """The app with CSRF off (tests of CSRF itself build their own)."""
    application = make_app()
    with application.app_context():
        yield application
        db.session.remove()


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def demo_action(app):
    """The demo action, live, committed."""
    action = create_demo_action(utcnow())
    db.session.commit()
    return action


@pytest.fixture
def action(app):
    """A small live action, committed: one primary target and one model letter, in English.

    Tests that need more build it with tests.builders.make_action.
    """
    built = make_action()
    db.session.commit()
    return built


# --- composer helpers -----------------------------------------------------------------------


def compose_data(action, **overrides) -> dict:
    """Return a complete composer post for an action (GB supporter, English, all targets)."""
    from actionapp.campaigns.actions import primary_targets

    data = {
        "name": "Jane Doe",
        "email": "jane@example.org",
        "street_address": "1 High Street",
        "city": "Leeds",
        "country": "GB",
        "language": "en",
        "targets": [str(t.id) for t in primary_targets(action)],
        "variant": "release",
        "body": "",
        "personal_message": "I am a teacher and I care about free speech.",
        "paper": "",
        "consent_processing": "y",
        "client_key": uuid.uuid4().hex,
        "started": "",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def started_stamp(app, seconds_ago: float = 30) -> str:
    """Return a composer start stamp from some seconds ago."""
    from datetime import timedelta

    from actionapp.letters.antibot import start_token

    return start_token(app.config["SECRET_KEY"], utcnow() - timedelta(seconds=seconds_ago))


@pytest.fixture
def post_letter(app, client):
    """Post a composer to a channel and return the response."""

    def send(action, channel="print", follow=False, **overrides):
        overrides.setdefault("started", started_stamp(app))
        data = compose_data(action, channel=channel, **overrides)
        return client.post(f"/actions/{action.slug}/write", data=data, follow_redirects=follow)

    return send


def csrf_token_from(html: str) -> str:
    """Return the CSRF token found in a page."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


ROOT = Path(__file__).resolve().parent.parent
