"""Concurrent submissions against a threaded server: nothing lost, nothing counted twice."""

from __future__ import annotations

import threading
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from werkzeug.serving import make_server

from actionapp.extensions import db
from actionapp.models import Letter, Submission
from actionapp.services.counts import action_counts
from tests.conftest import compose_data, started_stamp


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


def test_concurrent_submissions_and_double_clicks_count_exactly(make_app, demo_action):
    served = make_app()
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/actions/{demo_action.slug}/write"
    stamp = started_stamp(served)
    posts = []
    for n in range(60):
        data = compose_data(
            demo_action, channel="print", started=stamp, country="GB" if n % 2 else "BR"
        )
        posts.append(data)
        if n % 5 == 0:
            posts.append(dict(data))  # a double click: the same composer sent twice at once
    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(lambda data: _post(url, data), posts))
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert statuses.count(303) == len(posts), statuses
    db.session.rollback()  # see what the server committed
    submissions = db.session.scalar(select(func.count(Submission.id)))
    letters = db.session.scalar(select(func.count(Letter.id)))
    counts = action_counts(demo_action.id)
    assert submissions == 60
    assert counts.supporters == submissions
    # GB supporters get the embassy copy (3 letters), BR supporters do not (2 letters).
    assert counts.letters == letters == 30 * 3 + 30 * 2
