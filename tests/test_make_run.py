"""README's two commands as written: `make run PORT=...` links to its own port, and the
organiser commands run on the instance it created (`make organiser`, `make flask`)."""

from __future__ import annotations

import email
import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from email import policy
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.servers import (
    Browser,
    compose_fields,
    fetch,
    free_port,
    process_env,
    stop,
    wait_for_port,
)

ROOT = Path(__file__).resolve().parent.parent
MAIL_WAIT_SECONDS = 60


@pytest.fixture
def instance_env(tmp_path):
    """The environment of a developer's shell: no ACTIONAPP_ENV, the data kept in tmp_path."""
    return process_env(
        ACTIONAPP_SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'actionapp.db'}",
        ACTIONAPP_SECRET_KEY="a-secret-for-the-make-run-test-0123456789",
        ACTIONAPP_MAIL_FILE_DIR=str(tmp_path / "mail"),
        ACTIONAPP_UPLOAD_FOLDER=str(tmp_path / "uploads"),
        ACTIONAPP_MIN_FILL_SECONDS="0",
        ACTIONAPP_OUTBOX_POLL_SECONDS="0.2",
    )


@pytest.fixture
def make_run(instance_env, tmp_path):
    """Start `make run PORT=<free port>` in the checkout; stop it and its worker afterwards."""
    port = free_port()
    log = tmp_path / "make-run.log"
    with log.open("wb") as out:
        # Its own process group: make, the server and the mail worker stop together.
        process = subprocess.Popen(
            ["make", "-s", "run", f"PORT={port}"],
            cwd=ROOT,
            env=instance_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_port(port, process, log)
        yield port, log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def _submit(base: str, slug: str, channel: str) -> str:
    browser = Browser()
    status, _, page = browser.request(f"{base}/actions/{slug}/write")
    assert status == 200
    fields = compose_fields(
        page,
        slug,
        name="Ada Writer",
        email="ada@example.org",
        city="Leeds",
        country="GB",
        consent_processing="y",
        channel=channel,
    )
    status, headers, body = browser.request(f"{base}/actions/{slug}/write", fields)
    assert status == 303, body[:2000]
    return headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def _wait_for_mail(folder: Path, containing: str) -> str:
    """Return the first mail written to the folder whose text has the words (bounded wait)."""
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("*.eml")) if folder.is_dir() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            text = message.get_body(("plain",)).get_content()
            if containing in text:
                return text
        time.sleep(0.2)
    raise AssertionError(f"no mail with {containing!r} was written to {folder}")


def test_make_run_links_to_the_port_it_serves_on(make_run, tmp_path):
    port, log = make_run
    base = f"http://127.0.0.1:{port}"
    said = log.read_text()
    assert f"{base}/auth/sign-in" in said and "/organise/" in said
    assert "make organiser EMAIL=" in said
    # Every address it prints, the demo action's included, is on the port it serves on.
    assert "Demo action added: " + base + "/actions/" in said
    assert set(re.findall(r"https?://[\w.-]+(?::\d+)?", said)) == {base}, said

    status, _, home = Browser().request(base + "/")
    assert status == 200
    slug = re.search(r'href="/actions/([a-z0-9-]+)"', home).group(1)

    # The confirmation link comes from the web server; the mail worker writes the copies of
    # letters (with the thank-you page's address when one failed): both use the port.
    _submit(base, slug, "email")
    mail = _wait_for_mail(tmp_path / "mail", "/confirm/")
    link = re.search(re.escape(f"{base}/confirm/") + r"[A-Za-z0-9_-]+", mail)
    assert link, mail
    assert "127.0.0.1:5000" not in mail
    # The worker has delivered, so it has said where its links point.
    assert f"Links in its mails point to {base}." in log.read_text()

    token = _submit(base, slug, "print")
    status, _, pdf = fetch(f"{base}/actions/{slug}/print/{token}/letters.pdf")
    assert status == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert f"127.0.0.1:{port}/p/" in text.replace("\n", "")  # the short "I posted it" link


def test_make_organiser_creates_an_account_on_the_make_run_instance(instance_env, tmp_path):
    password = "a long enough password 42"
    created = subprocess.run(
        ["make", "-s", "organiser", "EMAIL=first@example.org", "ROLE=admin"],
        cwd=ROOT,
        env=instance_env,
        input=f"{password}\n{password}\n",
        capture_output=True,
        text=True,
    )
    assert created.returncode == 0, created.stdout + created.stderr
    listed = subprocess.run(
        ["make", "-s", "flask", "ARGS=organisers list"],
        cwd=ROOT,
        env=instance_env,
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "first@example.org" in listed.stdout and "admin" in listed.stdout
    with sqlite3.connect(tmp_path / "actionapp.db") as database:
        rows = database.execute("SELECT email, role FROM organisers").fetchall()
    assert rows == [("first@example.org", "admin")]


def test_flask_run_with_a_port_links_to_that_port(instance_env, tmp_path):
    """README: a bare `flask --app actionapp run --port N` in development links to port N."""
    env = {**instance_env, "ACTIONAPP_ENV": "development"}
    flask = str(Path(sys.executable).with_name("flask"))
    for command in (["db", "upgrade"], ["seed-demo"]):
        done = subprocess.run([flask, "--app", "actionapp", *command], env=env, capture_output=True)
        assert done.returncode == 0, done.stderr
    port = free_port()
    log = tmp_path / "flask-run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [flask, "--app", "actionapp", "run", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process, log)
        base = f"http://127.0.0.1:{port}"
        _, _, home = Browser().request(base + "/")
        slug = re.search(r'href="/actions/([a-z0-9-]+)"', home).group(1)
        token = _submit(base, slug, "print")
        status, _, pdf = fetch(f"{base}/actions/{slug}/print/{token}/letters.pdf")
        assert status == 200
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert f"127.0.0.1:{port}/p/" in text.replace("\n", "")  # the short "I posted it" link
    finally:
        stop(process)
