"""A supporter's letters do not wait behind event packs; packs are limited by their size."""

from __future__ import annotations

import re
import threading
import time

import pytest

from actionapp.extensions import db
from actionapp.models import TargetKind
from actionapp.printing.pdf import PrintSettings
from actionapp.printing.pdf.pool import renderer_for
from tests.builders import make_chinese_case
from tests.fixtures_print import read_pdf


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def _token(response) -> str:
    return response.headers["Location"].rsplit("/", 1)[1]


def _pack_url(action, copies: int) -> str:
    targets = [t.id for t in action.targets if t.kind == TargetKind.PRIMARY]
    query = "&".join(f"targets={t}" for t in targets)
    return (
        f"/actions/{action.slug}/event/pack.pdf?language=en&variant=release&paper=a4"
        f"&copies={copies}&{query}"
    )


def _renderer(app):
    return renderer_for(PrintSettings.from_config(app.config, app.static_folder).assets_dir)


def _wait_for(condition) -> None:
    for _ in range(600):
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("never happened")


def test_a_letter_comes_back_while_seven_packs_render(make_app, action, post_letter):
    app = make_app(PDF_RENDER_PROCESSES=1, PDF_PACK_PROCESSES=1, PDF_RENDER_TIMEOUT=300)
    token = _token(post_letter(action, channel="print"))
    renderer = _renderer(app)
    renderer.cache.clear()
    for lane in ("letters", "packs"):
        renderer.warm(lane, 1)
    finished: dict[int, tuple[int, bytes]] = {}
    urls = {copies: _pack_url(action, copies) for copies in range(4, 11)}
    letters_url = f"/actions/{action.slug}/print/{token}/letters.pdf"

    def pack(copies: int) -> None:
        response = app.test_client().get(urls[copies])
        finished[copies] = (response.status_code, response.data)

    # Seven packs at once, each a new cache entry (as in issue 11, fault 9).
    threads = [threading.Thread(target=pack, args=(copies,)) for copies in urls]
    for thread in threads:
        thread.start()
    try:
        _wait_for(lambda: renderer.in_flight["packs"] == 7)
        letters = app.test_client().get(letters_url)
        assert letters.status_code == 200 and letters.mimetype == "application/pdf"
        assert read_pdf(letters.data).pages >= 3
        # The letter came back while packs were still waiting for (or in) their pool.
        assert len(finished) < 7
    finally:
        for thread in threads:
            thread.join()
    # And every pack was rendered in the end: 2 recipients, `copies` letters each, a sheet.
    for copies, (status, data) in finished.items():
        assert status == 200
        assert read_pdf(data).pages >= 2 * copies


def test_a_pack_that_waits_past_the_limit_answers_503_and_keeps_the_choices(
    make_app, action, post_letter
):
    app = make_app(PDF_RENDER_PROCESSES=1, PDF_PACK_PROCESSES=1, PDF_RENDER_TIMEOUT=1)
    token = _token(post_letter(action, channel="print"))
    renderer = _renderer(app)
    renderer.cache.clear()
    renderer.warm("letters", 1)
    client = app.test_client()
    # Keep the pack pool's one process busy (as a long pack would) for longer than the limit.
    busy = renderer.submit("packs", 1, time.sleep, 6)
    url = _pack_url(action, 7).replace("paper=a4", "paper=letter")
    pack = client.get(url)
    assert pack.status_code == 503
    assert pack.headers["Retry-After"]
    page = pack.get_data(as_text=True)
    assert "Preparing the PDF took too long" in page
    # The event page comes back with what was chosen: 7 copies, US Letter.
    assert re.search(r'<input[^>]*name="copies"[^>]*value="7"', page)
    assert re.search(r'<option selected value="letter">', page)
    # Meanwhile a supporter's letters have their own pool.
    letters = client.get(f"/actions/{action.slug}/print/{token}/letters.pdf")
    assert letters.status_code == 200
    busy.result(timeout=60)
    # Once the pool is free, the same pack renders (within the limit, on this busy machine).
    assert make_app(PDF_PACK_PROCESSES=1).test_client().get(url).status_code == 200


def test_event_packs_are_limited_by_letters_per_address_not_requests(make_app, action):
    app = make_app(RATELIMIT_ENABLED=True, PACK_PAGES_RATE_LIMIT="10 per minute")
    client = app.test_client()
    primary = len([t for t in action.targets if t.kind == TargetKind.PRIMARY])
    assert primary == 2
    assert client.get(_pack_url(action, 1)).status_code == 200  # 2 letters
    assert client.get(_pack_url(action, 1)).status_code == 200  # 4 letters
    assert client.get(_pack_url(action, 3)).status_code == 200  # 10 letters
    # Only the fourth request of the minute, but its letters go past ten: refused.
    assert client.get(_pack_url(action, 1)).status_code == 429


WEB_PROCESS = """
import os, sys
from pathlib import Path
from actionapp.printing.pdf.pool import renderer_for

if __name__ == "__main__":
    renderer = renderer_for(Path(sys.argv[1]))
    renderer.warm("letters", 1)
    print(renderer.submit("letters", 1, os.getpid).result(timeout=120), flush=True)
    sys.stdin.read()  # until the test kills this process
"""


def test_render_workers_leave_when_their_web_process_is_killed(app, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    script = tmp_path / "web.py"
    script.write_text(WEB_PROCESS)
    assets = PrintSettings.from_config(app.config, app.static_folder).assets_dir
    with subprocess.Popen(
        [sys.executable, str(script), str(assets)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    ) as web:  # fmt: skip
        try:
            worker = int(web.stdout.readline())
            os.kill(worker, 0)  # alive
        finally:
            web.send_signal(signal.SIGKILL)  # as gunicorn does with a worker past its timeout
            web.wait()
    _wait_for(lambda: not _alive(worker))


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
