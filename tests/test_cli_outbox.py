"""`flask outbox send | status`, and development mail in files."""

from __future__ import annotations

import pytest

from actionapp.extensions import db
from tests.builders import make_chinese_case


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def test_send_and_status(runner, post_letter, action, smtp_server, mail_app):
    action.require_email_confirmation = False
    db.session.commit()
    post_letter(action, channel="email")
    status = runner.invoke(args=["outbox", "status"]).output
    assert "Waiting: 3 (3 due now" in status and "Sent: 0" in status
    smtp_server.rcpt_answers["judge-li@example.org"] = "550 5.1.1 Unknown recipient"
    smtp_server.rcpt_answers["chen@example.org"] = "451 4.7.1 Greylisted"
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert f"SMTP 127.0.0.1:{smtp_server.port}" in result.output
    assert "sent 1, to retry 1, failed 1" in result.output
    status = runner.invoke(args=["outbox", "status"]).output
    assert "Waiting: 1 (0 due now" in status and "Sent: 1" in status and "Failed: 1" in status
    assert "letter to chen@example.org, attempt 1" in status
    assert "451 4.7.1 Greylisted" in status
    assert "Failed:\n  #" in status and "550 5.1.1 Unknown recipient" in status


def test_development_mail_goes_to_files(runner, post_letter, action, app, tmp_path):
    app.config.update(MAIL_FILE_DIR=str(tmp_path / "mail"), ENV="development")
    post_letter(action, channel="email")
    result = runner.invoke(args=["outbox", "send"])
    assert "development mail files in" in result.output and "sent 1" in result.output
    (written,) = (tmp_path / "mail").glob("confirm.*.eml")
    data = written.read_bytes().decode()
    assert data.startswith(
        "X-Envelope-From: actions@example.org\r\nX-Envelope-To: jane@example.org"
    )
    assert "/confirm/" in data


def test_status_of_an_empty_outbox(runner):
    output = runner.invoke(args=["outbox", "status"]).output
    assert output.startswith("Waiting: 0 (0 due now, 0 being sent)  Sent: 0  Failed: 0")


def test_work_keeps_delivering_until_stopped(
    post_letter, action, smtp_server, mail_app, database_url, tmp_path
):
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT

    env = {
        **os.environ,
        "ACTIONAPP_ENV": "testing",
        "ACTIONAPP_SQLALCHEMY_DATABASE_URI": database_url,
        "ACTIONAPP_SMTP_HOST": smtp_server.host,
        "ACTIONAPP_SMTP_PORT": str(smtp_server.port),
        "ACTIONAPP_MAIL_FROM": "actions@rights.example.org",
        "ACTIONAPP_OUTBOX_POLL_SECONDS": "0.1",
    }
    log = tmp_path / "work.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "actionapp", "outbox", "work"],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            # Queued while the worker already runs: it picks the message up by itself.
            post_letter(action, channel="email")
            deadline = time.monotonic() + 30
            while not smtp_server.received and time.monotonic() < deadline:
                time.sleep(0.05)
            assert smtp_server.to("jane@example.org"), log.read_text()
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(20)
    assert worker.returncode == 0
    assert "Outbox worker stopped." in log.read_text()


def test_production_without_smtp_refuses_to_start(runner, app):
    app.config.update(ENV="production", SMTP_HOST="", MAIL_BACKEND="")
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 1
    assert "set ACTIONAPP_SMTP_HOST" in result.output
