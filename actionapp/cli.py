"""Flask sub-commands: thin wrappers over services."""

from __future__ import annotations

import click
from flask import Flask

from actionapp.campaigns.seed import create_demo_action, database_is_empty, demo_action
from actionapp.email.cli import register_outbox_cli
from actionapp.extensions import db
from actionapp.models import Action, utcnow
from actionapp.web.links import public_url_for


def _page(action: Action) -> str:
    return public_url_for("public.action_page", slug=action.slug)


def register_cli(app: Flask) -> None:
    """Attach the commands to the app."""
    from actionapp.organisers.cli import register_organiser_cli

    register_organiser_cli(app)
    register_outbox_cli(app)

    @app.cli.command("seed-demo")
    @click.option("--force", is_flag=True, help="Add the demo action even if actions exist.")
    def seed_demo(force: bool) -> None:
        """Load the demo action when the database has no action yet."""
        if not force and not database_is_empty():
            # Run by `make db` (and `make organiser`) every time: say it is fine, not an error.
            existing = demo_action()
            if existing is not None:
                click.echo(f"Demo action: already there, {_page(existing)}")
            else:
                click.echo("Demo action: not needed, your own actions are there (--force adds it).")
            return
        action = create_demo_action(utcnow())
        db.session.commit()
        click.echo(f"Demo action added: {_page(action)}")
