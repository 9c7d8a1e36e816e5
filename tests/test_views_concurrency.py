"""Concurrent submissions against a threaded server: nothing lost, nothing counted twice."""

from __future__ import annotations

import fcntl
import os
import threading
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, text
from werkzeug.serving import make_server

from actionapp.database import write_transaction
from actionapp.extensions import db
from actionapp.models import Letter, Submission
from actionapp.stats.counts import action_counts
from tests.builders import make_chinese_case
from tests.conftest import compose_data, started_stamp


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _post(url: str, data: dict) -> int:
    body = urllib.parse.urlencode(data, doseq=True).encode()
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, data=body), timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_concurrent_submissions_and_double_clicks_count_exactly(make_app, action):
    served = make_app()
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/actions/{action.slug}/write"
    stamp = started_stamp(served)
    posts = []
    for n in range(60):
        data = compose_data(action, channel="print", started=stamp, country="GB" if n % 2 else "BR")
        posts.append(data)
        if n % 5 == 0:
            posts.append(dict(data))  # a double click: the same composer sent twice at once
    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(lambda data: _post(url, data), posts))
            assert statuses.count(303) == len(posts), statuses
            db.session.rollback()  # see what the server committed
            tokens = list(db.session.scalars(select(Submission.public_token)))
            # Printed letters count from their first download: every PDF is fetched twice
            # at once (two clicks on the link), and each letter counts once.
            base = f"http://127.0.0.1:{server.server_port}/actions/{action.slug}/print"
            downloads = list(
                pool.map(lambda token: _get(f"{base}/{token}/letters.pdf?guide=0"), tokens * 2)
            )
            assert downloads == [200] * len(tokens) * 2
    finally:
        server.shutdown()
        thread.join(timeout=5)
    db.session.rollback()  # see what the server committed
    submissions = db.session.scalar(select(func.count(Submission.id)))
    letters = db.session.scalar(select(func.count(Letter.id)))
    counts = action_counts(action.id)
    assert submissions == 60
    assert counts.supporters == submissions
    # GB supporters get the embassy copy (3 letters), BR supporters do not (2 letters).
    assert counts.letters == letters == 30 * 3 + 30 * 2
    assert counts.by_status["print"] == {"to_print": 0, "printed": letters}


def test_sqlite_writers_queue_on_a_lock_file_and_go_as_soon_as_it_is_free(make_app):
    served = make_app()
    with served.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            pytest.skip("SQLite only: PostgreSQL writers wait on row locks")
        other_writer = os.open(f"{engine.url.database}.writers", os.O_RDWR | os.O_CREAT)
    wrote = threading.Event()

    def write() -> None:
        with served.app_context(), write_transaction():
            db.session.execute(text("SELECT 1"))
            wrote.set()

    fcntl.flock(other_writer, fcntl.LOCK_EX)
    try:
        writer = threading.Thread(target=write)
        writer.start()
        assert not wrote.wait(0.5), "the write did not wait for the writer ahead of it"
    finally:
        fcntl.flock(other_writer, fcntl.LOCK_UN)
        os.close(other_writer)
    assert wrote.wait(5)
    writer.join(5)
