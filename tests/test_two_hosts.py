"""The multi-host layout of README's Production section, run for real.

Two app hosts (two gunicorn processes, two workers each, on two ports, behind what a reverse
proxy would send) and two outbox workers, all on one PostgreSQL database and one Redis, mail
going to an aiosmtpd sink in this process. Checked: rate limits are shared through Redis, an
organiser's edit shows on both hosts at once, counts stay exact under load spread over both,
and every message is delivered exactly once.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import func, select

from actionapp.email.outbox_models import MessageKind, MessageStatus, OutboxMessage
from actionapp.extensions import db
from actionapp.models import Letter, Submission, utcnow
from actionapp.organisers.accounts import create_organiser
from actionapp.organisers.models import Role
from actionapp.stats.counts import is_counted
from tests.builders import make_chinese_case
from tests.fixtures_email import MAIL_FROM
from tests.servers import (
    Browser,
    compose_fields,
    fetch,
    form_fields,
    gunicorn,
    process_env,
    stop,
)

pytestmark = pytest.mark.two_hosts

BIN = Path(sys.executable).parent
REDIS = ("127.0.0.1", 6379)
SUBMIT_LIMIT = 3  # per minute and client address, shared by both hosts through Redis
LOAD_SUBMISSIONS = 40  # spread over both hosts by four clients at once
DELIVERY_LIMIT_SECONDS = 60
PASSWORD = "two hosts share one database"


def _redis_answers() -> None:
    with socket.create_connection(REDIS, timeout=3) as connection:
        connection.sendall(b"PING\r\n")
        assert connection.recv(16).startswith(b"+PONG"), "Redis did not answer PING"


@pytest.fixture
def layout(make_app, database_url, smtp_server, tmp_path):
    """The action, an editor, two app hosts and two outbox workers; yield (app, hosts)."""
    assert database_url.startswith("postgresql"), "the two-host layout needs PostgreSQL"
    _redis_answers()
    app = make_app()
    with app.app_context():
        # Kiosk-style action: letters go out at once, and no per-target pacing slows the test
        # (10,000 letters an hour is the most the editor allows).
        action = make_chinese_case(require_email_confirmation=False, mail_rate_per_hour=10_000)
        create_organiser("editor@example.org", PASSWORD, Role.EDITOR, utcnow())
        db.session.commit()
        slug, action_id = action.slug, action.id
        db.session.remove()
    env = process_env(
        ACTIONAPP_ENV="production",
        ACTIONAPP_SECRET_KEY="one-secret-shared-by-every-host-0123456789",
        ACTIONAPP_SQLALCHEMY_DATABASE_URI=database_url,
        ACTIONAPP_RATELIMIT_STORAGE_URI="redis://{}:{}".format(*REDIS),
        ACTIONAPP_RATELIMIT_KEY_PREFIX=f"actionapp-test-{uuid.uuid4().hex}",
        ACTIONAPP_SUBMIT_RATE_LIMIT=f"{SUBMIT_LIMIT} per minute",
        ACTIONAPP_PUBLIC_URL="https://act.example.org",
        ACTIONAPP_PROXY_COUNT="1",
        ACTIONAPP_MIN_FILL_SECONDS="0",
        ACTIONAPP_UPLOAD_FOLDER=str(tmp_path / "uploads"),
        ACTIONAPP_MAIL_FROM=MAIL_FROM,
        ACTIONAPP_MAIL_BACKEND="smtp",
        ACTIONAPP_SMTP_HOST=smtp_server.host,
        ACTIONAPP_SMTP_PORT=str(smtp_server.port),
        ACTIONAPP_OUTBOX_POLL_SECONDS="0.2",
    )
    with ExitStack() as stack:
        hosts = [
            stack.enter_context(gunicorn(BIN, env, tmp_path, tmp_path / f"host-{n}.log"))
            for n in ("a", "b")
        ]
        for n in ("a", "b"):
            log = (tmp_path / f"worker-{n}.log").open("wb")
            stack.callback(log.close)
            worker = subprocess.Popen(
                [str(BIN / "flask"), "--app", "actionapp", "outbox", "work"],
                env=env,
                cwd=tmp_path,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            stack.callback(stop, worker)
        yield app, hosts, slug, action_id


def _submit(
    base: str, slug: str, client: str, email: str, channel: str, post_to: str | None = None
) -> int:
    """Open the composer and send a letter as one visitor; return the answer's status.

    post_to: the host the proxy sends the post to, when not the one that served the composer.
    """
    browser = Browser(forwarded_for=client)
    status, _, page = browser.request(f"{base}/actions/{slug}/write")
    assert status == 200, page[:500]
    fields = compose_fields(
        page,
        slug,
        name="Load Tester",
        email=email,
        city="Leeds",
        country="GB",
        consent_processing="y",
        channel=channel,
    )
    status, headers, body = browser.request(f"{post_to or base}/actions/{slug}/write", fields)
    assert status in (303, 429), body[:2000]
    if status == 303 and channel == "print":
        # Printed letters count from their first download; fetch it from the other host.
        token = headers["Location"].rstrip("/").rsplit("/", 1)[-1]
        other = base if post_to in (None, base) else post_to
        pdf_url = f"{other}/actions/{slug}/print/{token}/letters.pdf"
        pdf_status, _, pdf = fetch(pdf_url, headers=browser.headers)
        assert pdf_status == 200 and pdf.startswith(b"%PDF"), pdf[:500]
    return status


def _title_on(base: str, slug: str) -> str:
    status, _, page = Browser().request(f"{base}/actions/{slug}")
    assert status == 200
    return page.split("<h1", 1)[1].split(">", 1)[1].split("</h1>", 1)[0]


def test_two_hosts_share_limits_edits_counts_and_the_outbox(layout, smtp_server):
    app, hosts, slug, action_id = layout
    a, b = (host.base for host in hosts)

    # Rate limits live in Redis: alternating hosts gives one visitor no extra letters.
    alternating = [
        _submit(base, slug, "203.0.113.50", f"limited{i}@example.org", "print")
        for i, base in enumerate([a, b] * SUBMIT_LIMIT)
    ]
    assert alternating == [303] * SUBMIT_LIMIT + [429] * SUBMIT_LIMIT

    # An organiser's edit on host A shows on both hosts' next pages (README: every view
    # checks the action's version; no waiting for a cache to expire).
    old_title = _title_on(a, slug)
    for base in [a, b] * 4:  # every gunicorn worker of both hosts has the page cached
        assert _title_on(base, slug) == old_title
    editor = Browser(forwarded_for="198.51.100.200")
    _, _, page = editor.request(f"{a}/auth/sign-in")
    fields = [
        (k, v) for k, v in form_fields(page, "/auth/sign-in") if k not in ("email", "password")
    ]
    fields += [("email", "editor@example.org"), ("password", PASSWORD)]
    status, _, body = editor.request(f"{a}/auth/sign-in", fields)
    assert status == 303, body[:2000]
    edit_url = f"{a}/organise/actions/{action_id}/edit"
    status, _, page = editor.request(edit_url)
    assert status == 200, page[:500]
    new_title = "Edited on host A: free Ana Novak"
    fields = [(k, v) for k, v in form_fields(page, ".editor") if k != "title"]
    status, _, body = editor.request(edit_url, [*fields, ("title", new_title)])
    assert status == 303, body[:3000]
    for base in [a, b] * 4:
        assert _title_on(base, slug) == new_title

    # Load spread over both hosts, every letter from its own address: counts stay exact.
    # Half the composers are served by one host and posted to the other (no sticky sessions).
    def one(i: int) -> int:
        channel = "email" if i % 2 else "print"
        served_by, posted_to = (a, b)[i % 2], (a, b)[(i // 2) % 2]
        client, email = f"198.51.100.{i + 1}", f"writer{i}@example.org"
        return _submit(served_by, slug, client, email, channel, post_to=posted_to)

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(one, range(LOAD_SUBMISSIONS)))
    assert statuses == [303] * LOAD_SUBMISSIONS
    accepted = SUBMIT_LIMIT + LOAD_SUBMISSIONS

    with app.app_context():
        submissions = db.session.scalar(
            select(func.count()).select_from(Submission).where(Submission.action_id == action_id)
        )
        assert submissions == accepted
        letters = db.session.execute(
            select(Letter.channel, Letter.status).where(Letter.action_id == action_id)
        ).all()
        counted = Counter(str(ch) for ch, st in letters if is_counted(str(ch), str(st)))
        email_letters = sum(1 for ch, _ in letters if str(ch) == "email")
        db.session.remove()
    assert email_letters > 0 and counted["print"] > 0
    for base in (a, b):
        status, _, body = Browser().request(f"{base}/api/v1/actions/{slug}")
        counts = json.loads(body)["counts"]
        assert counts["supporters"] == accepted
        assert counts["letters"] == sum(counted.values())
        assert {k: v for k, v in counts["by_channel"].items() if v} == dict(counted)

    # Every message delivered exactly once by the two workers together.
    deadline = time.monotonic() + DELIVERY_LIMIT_SECONDS
    while True:
        with app.app_context():
            rows = db.session.execute(
                select(OutboxMessage.kind, OutboxMessage.status, OutboxMessage.message_id).where(
                    OutboxMessage.action_id == action_id
                )
            ).all()
            db.session.remove()
        copies = sum(1 for kind, _, _ in rows if kind == MessageKind.COPY)
        waiting = [r for r in rows if r.status in (MessageStatus.QUEUED, MessageStatus.SENDING)]
        if not waiting and copies == LOAD_SUBMISSIONS // 2:
            break
        assert time.monotonic() < deadline, f"{len(waiting)} messages still waiting: {waiting[:5]}"
        time.sleep(0.2)
    assert {r.status for r in rows} == {MessageStatus.SENT}
    assert sum(1 for r in rows if r.kind == MessageKind.LETTER) == email_letters
    received = Counter(item.message_id for item in smtp_server.received)
    assert max(received.values()) == 1, [m for m, n in received.items() if n > 1]
    assert set(received) == {r.message_id for r in rows}
    for host in hosts:
        assert "Traceback" not in host.log_text(), host.log_text()[-3000:]
