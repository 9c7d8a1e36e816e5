"""Every setting is checked when the app starts: impossible values stop it with a clear error."""

from __future__ import annotations

import click
import pytest

from actionapp import create_app
from actionapp.config import development_public_url
from actionapp.config_check import ConfigError
from actionapp.email.worker import LEASE_MARGIN

MARGIN = int(LEASE_MARGIN.total_seconds())

# (key, impossible value, what the error says about it)
REFUSED = [
    ("OUTBOX_LEASE_SECONDS", MARGIN, f"more than the worker's margin of {MARGIN} seconds"),
    ("OUTBOX_LEASE_SECONDS", 10, "margin"),
    ("OUTBOX_LEASE_SECONDS", "300s", "whole number"),
    ("OUTBOX_BATCH_SIZE", 0, "at least 1"),
    ("OUTBOX_RETRY_DAYS", 0, "more than 0"),
    ("OUTBOX_RETRY_MAX_SECONDS", 30, "at least OUTBOX_RETRY_SECONDS"),
    ("OUTBOX_POLL_SECONDS", 0, "more than 0"),
    ("OUTBOX_RECORD_EVERY", 0, "at least 1"),
    ("SMTP_PORT", 70000, "at most 65535"),
    ("SMTP_SECURITY", "ssl", "'none', 'starttls', 'tls'"),
    ("SMTP_TIMEOUT", 0, "more than 0"),
    ("MAIL_BACKEND", "sendmail", "one of"),
    ("CONFIRM_DAYS", 0, "at least 1"),
    ("PUBLIC_URL", "act.example.org", "https://act.example.org"),
    ("PUBLIC_URL", "ftp://act.example.org", "https://act.example.org"),
    ("PUBLIC_URL", "https://act.example.org:99999", "impossible port"),
    ("PUBLIC_URL", "https://act.example.org/?a=1", "without a query"),
    ("PUBLIC_URL", "javascript:alert(1)", "https://act.example.org"),
    ("SQLALCHEMY_DATABASE_URI", "postgres-is-here", "database address"),
    ("SQLALCHEMY_DATABASE_URI", "oracle+nosuchdriver://x/y", "database address"),
    ("RATELIMIT_STORAGE_URI", "redis-server:6379", "storage address"),
    ("RATELIMIT_STORAGE_URI", "memcached://127.0.0.1:11211", "cannot be used"),
    ("RATELIMIT_ENABLED", "no", "true or false"),
    ("SESSION_COOKIE_SECURE", "yes", "true or false"),
    ("SESSION_COOKIE_SAMESITE", "Nope", "one of"),
    ("SUBMIT_RATE_LIMIT", "twenty a minute", "20 per minute"),
    ("PDF_RATE_LIMIT", 30, "20 per minute"),
    ("EVENT_REPORT_RATE_LIMIT", "", "20 per minute"),
    ("SIGNIN_RATE_LIMIT", "30 per fortnight", "20 per minute"),
    ("MIN_FILL_SECONDS", -1, "at least 0"),
    ("MIN_FILL_SECONDS", "3", "a number"),
    ("MAX_CONTENT_LENGTH", 10, "at least 1024"),
    ("SQLITE_BUSY_TIMEOUT_MS", -5, "at least 0"),
    ("PROXY_COUNT", -1, "at least 0"),
    ("PROXY_COUNT", True, "whole number"),
    ("LANGUAGES", "en", "list of language codes"),
    ("LANGUAGES", ["en", "klingon!"], "not a language code"),
    ("LANGUAGES", ["zh"], "must include 'en'"),
    ("PASSWORD_MIN_LENGTH", 4, "at least 8"),
    ("ORGANISER_IDLE_MINUTES", 0, "more than 0"),
    ("SIGNIN_ACCOUNT_MAX_FAILURES", 0, "at least 1"),
    ("UPLOAD_MAX_BYTES", 0, "at least 1"),
    ("IMAGE_MAX_WIDTH", "1600px", "whole number"),
    ("PDF_RENDER_TIMEOUT", 0, "more than 0"),
    ("PDF_CACHE_MB", -1, "at least 0"),
    ("PERMANENT_SESSION_LIFETIME", 60, "outlast WTF_CSRF_TIME_LIMIT"),
    ("DKIM_PRIVATE_KEY_PATH", "/nonexistent/dkim.pem", "no readable file"),
]


def settings(tmp_path, **values):
    """Return a complete testing configuration with some values changed."""
    return {"ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", **values}


@pytest.mark.parametrize(("key", "value", "says"), REFUSED, ids=lambda v: str(v)[:40])
def test_an_impossible_setting_stops_start_up_naming_the_key(tmp_path, key, value, says):
    with pytest.raises(ConfigError) as refused:
        create_app(settings(tmp_path, **{key: value}))
    message = str(refused.value)
    assert f"ACTIONAPP_{key} " in message
    assert says in message


@pytest.mark.parametrize(
    ("variable", "text", "says"),
    [
        ("ACTIONAPP_OUTBOX_LEASE_SECONDS", "60", "margin"),
        ("ACTIONAPP_RATELIMIT_ENABLED", "off", "true or false"),
        ("ACTIONAPP_SMTP_PORT", "smtp", "whole number"),
        ("ACTIONAPP_LANGUAGES", "en,zh", "list of language codes"),
    ],
)
def test_settings_from_the_environment_are_checked_too(monkeypatch, tmp_path, variable, text, says):
    monkeypatch.setenv(variable, text)
    with pytest.raises(ConfigError, match=f"{variable} .*{says}"):
        create_app(settings(tmp_path))


def test_every_problem_is_listed_at_once(tmp_path):
    with pytest.raises(ConfigError) as refused:
        create_app(settings(tmp_path, SMTP_PORT=-1, OUTBOX_BATCH_SIZE=0, PDF_RATE_LIMIT="x"))
    for key in ("SMTP_PORT", "OUTBOX_BATCH_SIZE", "PDF_RATE_LIMIT"):
        assert f"ACTIONAPP_{key} " in str(refused.value)


def test_an_address_that_may_hold_a_password_is_not_repeated(tmp_path):
    with pytest.raises(ConfigError) as refused:
        create_app(settings(tmp_path, SQLALCHEMY_DATABASE_URI="nosuch://user:s3cret@db/x"))
    assert "ACTIONAPP_SQLALCHEMY_DATABASE_URI" in str(refused.value)
    assert "s3cret" not in str(refused.value)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("OUTBOX_LEASE_SECONDS", MARGIN + 1),
        ("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379"),
        ("SQLALCHEMY_DATABASE_URI", "postgresql+psycopg://u@127.0.0.1/db"),
        ("PUBLIC_URL", "https://act.example.org/letters"),
        ("SUBMIT_RATE_LIMIT", "5/minute;100/day"),
        ("MIN_FILL_SECONDS", 2),
        ("LANGUAGES", ["en", "zh", "pt_BR"]),
    ],
)
def test_possible_settings_are_accepted(tmp_path, key, value):
    assert create_app(settings(tmp_path, **{key: value})).config[key] == value


def test_production_refuses_to_start_without_a_public_address(monkeypatch, tmp_path):
    monkeypatch.setenv("ACTIONAPP_SECRET_KEY", "a-real-secret-for-this-test-only-0123456789")
    monkeypatch.delenv("ACTIONAPP_PUBLIC_URL", raising=False)
    with pytest.raises(ConfigError, match="ACTIONAPP_PUBLIC_URL is required"):
        create_app(settings(tmp_path, ENV="production"))
    monkeypatch.setenv("ACTIONAPP_PUBLIC_URL", "https://act.example.org")
    app = create_app(settings(tmp_path, ENV="production"))
    assert app.config["PUBLIC_URL"] == "https://act.example.org"


def test_production_defaults_pass_the_check(monkeypatch, tmp_path):
    monkeypatch.setenv("ACTIONAPP_SECRET_KEY", "a-real-secret-for-this-test-only-0123456789")
    monkeypatch.setenv("ACTIONAPP_PUBLIC_URL", "https://act.example.org")
    assert create_app(settings(tmp_path, ENV="production")).config["ENV"] == "production"
    with pytest.raises(ConfigError, match="ACTIONAPP_SESSION_COOKIE_SECURE must be true"):
        create_app(settings(tmp_path, ENV="production", SESSION_COOKIE_SECURE=False))


def test_in_development_links_follow_the_port_the_server_runs_on(monkeypatch, tmp_path):
    monkeypatch.delenv("ACTIONAPP_PUBLIC_URL", raising=False)
    monkeypatch.delenv("FLASK_RUN_HOST", raising=False)
    monkeypatch.setenv("FLASK_RUN_PORT", "8123")
    app = create_app(settings(tmp_path, ENV="development"))
    assert app.config["PUBLIC_URL"] == "http://127.0.0.1:8123"
    monkeypatch.delenv("FLASK_RUN_PORT")
    assert development_public_url() == "http://127.0.0.1:5000"
    # An address given explicitly wins.
    explicit = create_app(settings(tmp_path, ENV="development", PUBLIC_URL="http://dev.test:1"))
    assert explicit.config["PUBLIC_URL"] == "http://dev.test:1"


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000"),
        ("0.0.0.0", 8080, "http://127.0.0.1:8080"),  # noqa: S104
        ("localhost", 5001, "http://localhost:5001"),
        ("::1", 8000, "http://[::1]:8000"),
    ],
)
def test_flask_run_port_and_host_make_the_public_address(host, port, expected):
    # The context `flask run --host H --port P` has while it creates the app.
    command = click.Command("run", params=[click.Option(["--host"]), click.Option(["--port"])])
    with click.Context(command, info_name="run") as context:
        context.params.update(host=host, port=port)
        assert development_public_url({}) == expected


def test_a_host_prefixed_cookie_with_a_domain_is_refused(tmp_path):
    """Browsers drop a __Host- cookie that names a domain: nobody could sign in."""
    with pytest.raises(ConfigError) as refused:
        create_app(
            settings(tmp_path, SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_DOMAIN="x.org")
        )
    assert "ACTIONAPP_SESSION_COOKIE_DOMAIN " in str(refused.value)
