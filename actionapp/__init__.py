"""actionapp: Urgent Action letter campaigns."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from actionapp.config import (
    CONFIGS,
    INSECURE_SECRET,
    development_public_url,
    development_secret,
)
from actionapp.config_check import check_config
from actionapp.extensions import babel, csrf, db, limiter, migrate

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"


def resource_dir(name: str) -> Path:
    """Return the templates or static folder: inside an installed package, else the checkout's."""
    installed = PACKAGE_DIR / name
    return installed if installed.is_dir() else PACKAGE_DIR.parent / name


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the application."""
    app = Flask(
        __name__,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
        instance_relative_config=True,
    )
    register_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_templating(app)
    register_security(app)
    register_errors(app)
    register_commands(app)
    register_middleware(app)
    return app


def register_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Load defaults for ACTIONAPP_ENV, then ACTIONAPP_* variables, then test overrides.

    Raises RuntimeError (ConfigError) naming each setting that is missing or impossible.
    """
    env = (test_config or {}).get("ENV") or os.environ.get("ACTIONAPP_ENV", "production")
    if env not in CONFIGS:
        raise RuntimeError(f"ACTIONAPP_ENV must be one of {', '.join(CONFIGS)}, not {env!r}")
    app.config.from_object(CONFIGS[env])
    app.config.from_prefixed_env("ACTIONAPP")
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'actionapp.db'}"
        )
    if not app.config["UPLOAD_FOLDER"]:
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    if app.config["SECRET_KEY"] in ("", INSECURE_SECRET, None):
        if app.config["ENV"] == "production":
            raise RuntimeError(
                "ACTIONAPP_SECRET_KEY is not set. Outside development actionapp refuses to start "
                "without a real secret key: set ACTIONAPP_SECRET_KEY to a long random value, "
                "for example the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        app.config["SECRET_KEY"] = development_secret(app.instance_path)
    if not app.config["PUBLIC_URL"] and app.config["ENV"] != "production":
        app.config["PUBLIC_URL"] = development_public_url()
    check_config(app.config)


def register_extensions(app: Flask) -> None:
    """Attach the extensions and set up the database engines."""
    from actionapp.campaigns.models import watch_action_changes
    from actionapp.database import configure_engines
    from actionapp.organisers.access import init_login
    from actionapp.state import init_state
    from actionapp.web.i18n import select_locale
    from actionapp.web.sessions import SessionInterface

    init_state(app)
    db.init_app(app)
    watch_action_changes(db.session)
    configure_engines(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    # Before CSRF protection reads the form: upload pages accept larger bodies.
    app.before_request(allow_uploads)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    init_login(app)
    app.session_interface = SessionInterface()


def allow_uploads() -> None:
    """Let the upload endpoints receive files up to UPLOAD_MAX_BYTES (others keep the limit)."""
    from actionapp.campaigns.editor_views import UPLOAD_ENDPOINTS

    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["UPLOAD_MAX_BYTES"] + 64 * 1024


def register_blueprints(app: Flask) -> None:
    """Register every feature's blueprint."""
    import actionapp.campaigns.public_views
    import actionapp.email.views
    import actionapp.replies.public_views
    import actionapp.solidarity.public_views  # noqa: F401
    from actionapp.campaigns.api_views import bp as api_bp
    from actionapp.email import unsubscribe_views  # noqa: F401
    from actionapp.letters import composer_views, thanks_views  # noqa: F401
    from actionapp.organisers.sign_in_views import bp as auth_bp
    from actionapp.printing.views import bp as print_bp
    from actionapp.stats.embed_views import bp as embed_bp
    from actionapp.stats.embed_views import media as media_bp
    from actionapp.web import organise
    from actionapp.web.emailed import bp as email_bp
    from actionapp.web.public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(email_bp)
    app.register_blueprint(print_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(auth_bp, url_prefix="/auth")
    organise.register(app)
    app.register_blueprint(embed_bp)
    app.register_blueprint(media_bp)


def register_templating(app: Flask) -> None:
    """Add the template helpers every page uses."""
    from actionapp.web.i18n import register_template_helpers

    register_template_helpers(app)


def register_security(app: Flask) -> None:
    """Send the security headers with every response; keep tokens out of the request log."""
    from actionapp.web.accesslog import install_log_filter
    from actionapp.web.security import apply_security_headers

    app.after_request(apply_security_headers)
    install_log_filter(app.logger.name)


def register_errors(app: Flask) -> None:
    """Render friendly error pages; roll back the session on server errors."""
    from actionapp.web.errors import register_error_handlers

    register_error_handlers(app)


def register_middleware(app: Flask) -> None:
    """Wrap the app: the action page cache, then (outermost) the reverse proxy's headers."""
    from actionapp.web.pagecache import install_page_cache

    install_page_cache(app)
    if app.config["PROXY_COUNT"]:
        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]


def register_commands(app: Flask) -> None:
    """Add the flask sub-commands."""
    from actionapp.cli import register_cli

    register_cli(app)
