"""Flask sub-commands for organiser accounts and the privacy schedule."""

from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from actionapp.database import write_transaction
from actionapp.email.messages import mail_settings
from actionapp.extensions import db
from actionapp.models import Organiser, Role, utcnow
from actionapp.organisers.accounts import (
    OrganiserError,
    create_organiser,
    organiser_by_email,
    set_access,
    set_password,
)
from actionapp.organisers.messages import organiser_error_message
from actionapp.privacy.personal_data import purge_expired
from actionapp.replies.reports import ask_replies
from actionapp.stats.rollups import compact_day, days_to_compact

organisers = AppGroup("organisers", help="Manage organiser accounts.")
privacy = AppGroup("privacy", help="Apply the privacy rules.")
stats = AppGroup("stats", help="Keep the statistics fast.")
replies = AppGroup("replies", help="Ask supporters whether an official replied.")


def stdin_is_terminal() -> bool:
    """Tell whether a person types at the command (rather than a pipe or a file)."""
    return sys.stdin.isatty()


def read_password() -> str:
    """Ask for a password twice on a terminal, or read it twice (two lines) from stdin."""
    if stdin_is_terminal():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    first = sys.stdin.readline().rstrip("\r\n")
    second = sys.stdin.readline().rstrip("\r\n")
    if not first:
        raise click.ClickException("No password on standard input (give it twice, two lines).")
    if first != second:
        raise click.ClickException("The two passwords on standard input differ.")
    return first


@organisers.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    required=True,
    help="admin: everything, also accounts and personal data; editor: edits actions; "
    "viewer: statistics only.",
)
def create(email: str, role: str) -> None:
    """Add an organiser; the password is asked twice (or read twice from stdin)."""
    password = read_password()
    try:
        organiser = create_organiser(
            email, password, Role(role), utcnow(), current_app.config["PASSWORD_MIN_LENGTH"]
        )
    except OrganiserError as error:
        raise click.ClickException(organiser_error_message(error)) from None
    db.session.commit()
    click.echo(f"Organiser {organiser.email} added as {organiser.role}.")


def _existing(email: str):
    """Return the organiser with this email, or stop the command with a clear message."""
    organiser = organiser_by_email(email)
    if organiser is None:
        raise click.ClickException(f"No organiser with the email {email}.")
    return organiser


@organisers.command("set-password")
@click.argument("email")
def change_password(email: str) -> None:
    """Give an organiser a new password (signs them out everywhere)."""
    organiser = _existing(email)
    try:
        set_password(organiser, read_password(), current_app.config["PASSWORD_MIN_LENGTH"])
    except OrganiserError as error:
        raise click.ClickException(organiser_error_message(error)) from None
    db.session.commit()
    click.echo(f"Password changed for {organiser.email}.")


@organisers.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Stop an organiser from signing in (and end their sessions)."""
    organiser = _existing(email)
    try:
        set_access(organiser, organiser.role, active=False)
    except OrganiserError as error:
        raise click.ClickException(organiser_error_message(error)) from None
    db.session.commit()
    click.echo(f"{organiser.email} can no longer sign in.")


@organisers.command("list")
def list_organisers() -> None:
    """List organiser accounts."""
    for organiser in db.session.scalars(db.select(Organiser).order_by(Organiser.email)):
        state = "active" if organiser.active else "inactive"
        click.echo(f"{organiser.email}\t{organiser.role}\t{state}")


@privacy.command("purge")
def purge() -> None:
    """Remove supporters' personal data whose retention period is over (run it daily)."""
    report = purge_expired(utcnow())
    db.session.commit()
    click.echo(
        f"Personal data removed from {report.submissions} submission(s) "
        f"in {report.actions} action(s)."
    )


@stats.command("compact")
def compact() -> None:
    """Fold the letter rollups of days before yesterday into one slot each (run it daily)."""
    before = utcnow().date() - timedelta(days=1)
    removed = 0
    pairs = days_to_compact(before)
    db.session.rollback()
    for action_id, day in pairs:
        with write_transaction():  # one day at a time: short transactions
            removed += compact_day(action_id, day)
    click.echo(f"Compacted {len(pairs)} action day(s); {removed} rollup row(s) fewer.")


@replies.command("ask")
def ask() -> None:
    """Email the reply question to the supporters due today, once each (run it daily)."""
    with write_transaction():
        asked = ask_replies(
            mail_settings(current_app.config), current_app.config["SECRET_KEY"], utcnow()
        )
    click.echo(f"Asked {asked} supporter(s) whether an official replied.")


def register_organiser_cli(app: Flask) -> None:
    """Attach the organiser, privacy, statistics and reply-question commands."""
    app.cli.add_command(organisers)
    app.cli.add_command(privacy)
    app.cli.add_command(stats)
    app.cli.add_command(replies)
