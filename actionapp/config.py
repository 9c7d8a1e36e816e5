"""Configuration defaults; every key can be overridden as ACTIONAPP_<KEY> in the environment."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

INSECURE_SECRET = "change-me"  # noqa: S105 - a marker, refused outside development


class Config:
    """Defaults for every environment."""

    ENV = "production"
    SECRET_KEY = INSECURE_SECRET
    SQLALCHEMY_DATABASE_URI = ""  # filled in by the factory: instance/actionapp.db
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 10_000
    # PostgreSQL: a statement waiting this long for a lock gives up; the supporter gets a 503
    # with their letter kept instead of a request that hangs.
    POSTGRES_LOCK_TIMEOUT_MS = 10_000

    ORGANISATION_NAME = "actionapp demo organisation"
    # The address supporters reach the site at, for links in emails and PDFs. Required in
    # production; elsewhere it follows the port the development server runs on.
    PUBLIC_URL = ""

    MAX_CONTENT_LENGTH = 256 * 1024
    MAX_FORM_MEMORY_SIZE = 256 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    # "__Host-": browsers keep it only if Secure, Path=/ and without Domain, so no sibling
    # subdomain can set or overwrite it.
    SESSION_COOKIE_NAME = "__Host-session"
    PREFERRED_URL_SCHEME = "https"
    WTF_CSRF_TIME_LIMIT = 6 * 3600
    # Over HTTPS Flask-WTF would also demand a same-site Referer, which browsers never send
    # here (Referrer-Policy: no-referrer): every form failed in production. The token and the
    # SameSite session cookie protect the forms.
    WTF_CSRF_SSL_STRICT = False

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("en", "zh")

    # Bots fill a form faster than this; such posts are turned away quietly.
    MIN_FILL_SECONDS = 3.0
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    # Composer limits (README "Rate limits"). Events, schools, offices and mobile carriers put
    # dozens of supporters behind one network address, so the address gets an event's budget;
    # what identifies abuse is the email address, the composer (its client key) and the official.
    SUBMIT_RATE_LIMIT = "120 per minute; 1500 per hour"  # letters sent, per network address
    PREVIEW_RATE_LIMIT = "600 per minute"  # previews and back-to-editing, per network address
    SUBMIT_EMAIL_RATE_LIMIT = "5 per minute; 30 per day"  # letters sent, per email address
    SUBMIT_COMPOSER_RATE_LIMIT = "10 per minute"  # posts of one composer (its client key)
    SUBMIT_OFFICIAL_RATE_LIMIT = "600 per minute"  # letters sent, per official (target)
    # Solidarity messages sent, per network address (sized like letters, for an event).
    SOLIDARITY_RATE_LIMIT = "120 per minute; 1500 per hour"
    # Trust X-Forwarded-* from this many reverse proxies (0: none).
    PROXY_COUNT = 0

    # Organisers. The signed session cookie is refused by the server once this old; it must
    # outlast the CSRF time limit so that supporters' forms keep working.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # An organiser is signed out this long after signing in, or after this long without a page.
    ORGANISER_SESSION_HOURS = 8
    ORGANISER_IDLE_MINUTES = 60
    PASSWORD_MIN_LENGTH = 12
    # Failed sign-ins allowed per account and per network address within the window, and how
    # long sign-in then stays paused for that account or address.
    SIGNIN_ACCOUNT_MAX_FAILURES = 5
    SIGNIN_ADDRESS_MAX_FAILURES = 20
    SIGNIN_WINDOW_MINUTES = 15
    SIGNIN_LOCKOUT_MINUTES = 15
    SIGNIN_RATE_LIMIT = "30 per minute"

    # Action images: uploaded files are checked, re-encoded and kept here (default:
    # instance/uploads), and served from /media/actions/<name>.
    UPLOAD_FOLDER = ""
    UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    IMAGE_MAX_PIXELS = 40_000_000
    IMAGE_MAX_WIDTH = 1600

    # Email (README, "Email"). Mail leaves from MAIL_FROM, the supporter's name as display name.
    MAIL_FROM = ""
    MAIL_MESSAGE_ID_DOMAIN = ""  # default: the domain of MAIL_FROM
    MAIL_COUNTING_ADDRESS = ""  # optional BCC on "Open in my email app" letters
    MAIL_BACKEND = ""  # "smtp", "file", or "" (SMTP when SMTP_HOST is set; files in development)
    MAIL_FILE_DIR = ""  # default: instance/mail
    SMTP_HOST = ""
    SMTP_PORT = 0  # default: 25, 587 (starttls) or 465 (tls)
    SMTP_USER = ""
    SMTP_PASSWORD = ""
    SMTP_SECURITY = "none"  # none | starttls | tls
    SMTP_TIMEOUT = 30
    DKIM_PRIVATE_KEY = ""
    DKIM_PRIVATE_KEY_PATH = ""
    DKIM_SELECTOR = ""
    DKIM_DOMAIN = ""  # default: the domain of MAIL_FROM
    CONFIRM_DAYS = 7
    OUTBOX_BATCH_SIZE = 100
    OUTBOX_LEASE_SECONDS = 300
    # Temporarily refused messages (4xx) are retried this long after the first refusal, as
    # mail servers do; an unreachable server never uses up this time or an attempt.
    OUTBOX_RETRY_DAYS = 5
    OUTBOX_RETRY_SECONDS = 60
    OUTBOX_RETRY_MAX_SECONDS = 6 * 3600
    OUTBOX_POLL_SECONDS = 2.0
    # Accepted messages recorded per transaction at most; a crashed worker re-sends up to these.
    OUTBOX_RECORD_EVERY = 20
    # Printed letters: a render running longer than this is stopped (seconds); finished PDFs
    # are kept in memory (per process) to serve repeated downloads.
    PDF_RENDER_TIMEOUT = 20
    PDF_CACHE_MB = 64
    PDF_CACHE_SECONDS = 3600
    # Render processes per web process for supporters' letters (0: every core but one) and,
    # apart, for event packs, so that a letter never waits behind packs.
    PDF_RENDER_PROCESSES = 0
    PDF_PACK_PROCESSES = 1
    # Sized for an event: everyone in a room behind one address downloads their letters.
    PDF_RATE_LIMIT = "120 per minute"
    EVENT_REPORT_RATE_LIMIT = "5 per hour"
    # Short "I posted it" codes (/p/<code>): per address, to keep guessing a tag hopeless.
    POSTED_CODE_RATE_LIMIT = "20 per minute"
    # Event packs per client address, counted in letters (pages), not requests.
    PACK_PAGES_RATE_LIMIT = "1000 per hour"


class DevelopmentConfig(Config):
    """Local development: plain HTTP cookies and a per-checkout secret key."""

    ENV = "development"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "session"
    PREFERRED_URL_SCHEME = "http"
    # A reserved domain (RFC 2606): development mail goes to files in instance/mail anyway.
    MAIL_FROM = "actions@example.org"


class TestingConfig(DevelopmentConfig):
    """The test suite."""

    ENV = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"  # noqa: S105
    MIN_FILL_SECONDS = 0.0
    RATELIMIT_ENABLED = False


CONFIGS = {"production": Config, "development": DevelopmentConfig, "testing": TestingConfig}


def development_secret(instance_path: str) -> str:
    """Return a random secret key kept in the instance folder, created on first use."""
    path = Path(instance_path) / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        os.chmod(path, 0o600)
    return path.read_text().strip()


def development_public_url(environ: dict[str, str] | None = None) -> str:
    """Return the address `flask run` serves on (its --host/--port, else FLASK_RUN_*, else 5000)."""
    import click

    environ = os.environ if environ is None else environ
    host = environ.get("FLASK_RUN_HOST") or "127.0.0.1"
    port = environ.get("FLASK_RUN_PORT") or "5000"
    context = click.get_current_context(silent=True)
    # `flask run` creates the app while its own options are known: use the port it serves on.
    if context is not None and context.info_name == "run" and "port" in context.params:
        host, port = context.params.get("host") or host, context.params["port"]
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - listening everywhere: link to this machine
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"
