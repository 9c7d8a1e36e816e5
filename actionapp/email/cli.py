"""`flask outbox send | work | status`: deliver the outbox and show what waits."""

from __future__ import annotations

import signal
import threading

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from actionapp.email.deliveries import outbox_summary
from actionapp.email.messages import MailConfigError
from actionapp.email.worker import OutboxWorker, PassResult
from actionapp.models import utcnow

outbox = AppGroup("outbox", help="Deliver queued email and show the queue.")


def _describe(result: PassResult) -> str:
    text = f"sent {result.sent}, to retry {result.retried}, failed {result.failed}"
    if result.connection_error:
        text += f"; the mail server could not be reached ({result.connection_error}), will retry"
    return text


def _worker() -> OutboxWorker:
    try:
        return OutboxWorker.from_app()
    except (RuntimeError, MailConfigError) as error:
        raise click.ClickException(str(error)) from error


def _backend(worker: OutboxWorker) -> str:
    transport = worker.transport
    if hasattr(transport, "directory"):
        return f"development mail files in {transport.directory}"
    return f"SMTP {transport.host}:{transport.port} ({transport.security})"


@outbox.command("send")
def send_command() -> None:
    """Make one delivery pass: send every message due now, then exit."""
    worker = _worker()
    result = worker.deliver_due()
    click.echo(f"Outbox ({_backend(worker)}): {_describe(result)}.")


@outbox.command("work")
def work_command() -> None:
    """Keep delivering until stopped (Ctrl-C or SIGTERM finish the current message first)."""
    worker = _worker()
    stop = threading.Event()

    def request_stop(signum, frame) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    poll = float(current_app.config["OUTBOX_POLL_SECONDS"])
    click.echo(f"Outbox worker {worker.owner} delivering through {_backend(worker)}.")
    # Links in the mails it writes (copies of letters) use this address: say it, so that a
    # worker started with other settings than the web server shows at once.
    click.echo(f"Links in its mails point to {current_app.config['PUBLIC_URL']}.")
    worker.work(stop, poll, report=lambda r: click.echo(f"Outbox: {_describe(r)}."))
    click.echo("Outbox worker stopped.")


@outbox.command("status")
def status_command() -> None:
    """Show the queue: waiting, sent, failed, with reasons."""
    now = utcnow()
    summary = outbox_summary(now)
    counts = summary.by_status
    waiting = counts["queued"] + counts["sending"]
    click.echo(
        f"Waiting: {waiting} ({summary.due_now} due now, {counts['sending']} being sent)  "
        f"Sent: {counts['sent']}  Failed: {counts['failed']}"
    )
    if summary.oldest_waiting:
        click.echo(f"Oldest waiting message queued at {summary.oldest_waiting:%Y-%m-%d %H:%M} UTC.")
    if summary.next_due and summary.next_due > now:
        click.echo(f"Next message due at {summary.next_due:%Y-%m-%d %H:%M} UTC.")
    if summary.retrying:
        click.echo("\nWaiting to be retried:")
        for message in summary.retrying:
            click.echo(
                f"  #{message.id} {message.kind.value} to {message.recipient}, attempt "
                f"{message.attempts}, next at {message.next_attempt_at:%Y-%m-%d %H:%M}: "
                f"{message.last_error}"
            )
    if summary.failed:
        click.echo("\nFailed:")
        for message in summary.failed:
            click.echo(
                f"  #{message.id} {message.kind.value} to {message.recipient} after "
                f"{message.attempts} attempt(s): {message.last_error}"
            )


def register_outbox_cli(app: Flask) -> None:
    """Attach the outbox commands."""
    app.cli.add_command(outbox)
