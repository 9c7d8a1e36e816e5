"""Printed letters: the app's render path against bare, warm WeasyPrint on the same HTML."""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from actionapp import create_app
from actionapp.extensions import db
from actionapp.models import Channel, utcnow
from actionapp.services.actions import primary_targets
from actionapp.services.compose import SupporterDetails
from actionapp.services.letters import NewSubmission, submit_letters
from actionapp.services.pdf import engine as engine_module
from actionapp.services.pdf.engine import PDF_VARIANT, engine_for
from actionapp.services.seed import create_demo_action

ROUNDS = 15


def _submission(action, key: str, target_ids: list[int], language: str = "en"):
    details = SupporterDetails(
        name="Jane Doe",
        city="Leeds",
        country="GB",
        language=language,
        variant="release",
        personal_message="I am a teacher and I care about free speech.",
        street_address="1 High Street\nLS1 1AA",
        target_ids=target_ids,
        seed=key,
    )
    new = NewSubmission(
        details=details, channel=Channel.PRINT, client_key=key, consent_text="I agree"
    )
    return submit_letters(action, new, utcnow())


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _download(client, url: str, cache) -> tuple[float, bytes]:
    cache.clear()
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed, response.data


def _pages(data: bytes) -> int:
    from io import BytesIO

    from pypdf import PdfReader

    return len(PdfReader(BytesIO(data)).pages)


class _Capture:
    """Record the HTML and stylesheets the app hands to WeasyPrint."""

    def __init__(self) -> None:
        self.html = ""
        self.original = engine_module.PdfEngine.render

    def __enter__(self):
        capture = self

        def render(engine, html, stylesheets, **kw):
            capture.html = html
            return capture.original(engine, html, stylesheets, **kw)

        engine_module.PdfEngine.render = render
        return self

    def __exit__(self, *exc) -> None:
        engine_module.PdfEngine.render = self.original


def run(report) -> None:
    """Measure the demo letter, a one-page letter, a cached download and an event pack."""
    folder = Path(tempfile.mkdtemp(prefix="actionapp-bench-pdf-"))
    try:
        _run(report, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(report, folder: Path) -> None:
    app = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        action = create_demo_action(utcnow())
        primaries = [t.id for t in primary_targets(action)]
        demo = _submission(action, "bench-demo-000001", primaries)
        single = _submission(action, "bench-single-0001", [])  # the embassy copy only
        db.session.commit()
        slug, demo_token, single_token = action.slug, demo.public_token, single.public_token
        pack_query = "&".join(f"targets={t}" for t in primaries)

    assets = Path(app.static_folder) / "print"
    cache = engine_for(assets).cache
    client = app.test_client()
    demo_url = f"/actions/{slug}/print/{demo_token}/letters.pdf"

    # Warm both paths up: fonts, stylesheets, the first render in the process.
    with _Capture() as capture:
        _, data = _download(client, demo_url, cache)
    demo_pages = _pages(data)
    stylesheet_texts = [
        (assets / "letter.css").read_text(),
        _geometry_for(app, demo_token),
    ]
    font_config = FontConfiguration()
    floor_css = [CSS(string=text, font_config=font_config) for text in stylesheet_texts]
    base_url = assets.as_uri() + "/"

    def floor() -> None:
        HTML(string=capture.html, base_url=base_url).write_pdf(
            stylesheets=floor_css, font_config=font_config, pdf_variant=PDF_VARIANT
        )

    def app_path() -> None:
        cache.clear()
        assert client.get(demo_url).status_code == 200

    floor()
    wall = {"app": [], "floor": []}
    cpu = {"app": [], "floor": []}
    for _ in range(2 * ROUNDS):  # interleaved, so that both see the same machine
        for name, call in (("app", app_path), ("floor", floor)):
            started, started_cpu = time.perf_counter(), time.process_time()
            call()
            wall[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
    app_ms = _median_ms(wall["app"]) / demo_pages
    floor_ms = _median_ms(wall["floor"]) / demo_pages
    note = f"demo, {demo_pages} pages: 2 letters in Chinese, 1 in English, the posting guide"
    report.add("demo letter, app path (download, cache off)", app_ms, "ms/page", note)
    report.add("demo letter, bare warm WeasyPrint (floor)", floor_ms, "ms/page", "same HTML")
    ratio = app_ms / floor_ms
    report.add("app / floor", ratio, "x", "wall clock")
    cpu_ratio = _median_ms(cpu["app"]) / _median_ms(cpu["floor"])
    report.add("app / floor, CPU time of this process", cpu_ratio, "x", "steadier when shared")
    report.check("app path within 1.15 x of the floor", ratio <= 1.15, f"{ratio:.3f} x")

    single_url = f"/actions/{slug}/print/{single_token}/letters.pdf?guide=0"
    _download(client, single_url, cache)
    samples = [_download(client, single_url, cache)[0] for _ in range(ROUNDS)]
    _, data = _download(client, single_url, cache)
    one_page = _median_ms(samples)
    report.add("one-page letter (English), download", one_page, "ms", f"{_pages(data)} page")
    report.check("one-page letter at most 40 ms", one_page <= 40, f"{one_page:.1f} ms")
    cpu = []
    for _ in range(ROUNDS):
        cache.clear()
        started = time.process_time()
        client.get(single_url)
        cpu.append(time.process_time() - started)
    report.add(
        "one-page letter, CPU time of this process", _median_ms(cpu), "ms", "shared machines"
    )

    zh_url = f"/actions/{slug}/print/{demo_token}/letters.pdf?guide=0&paper=letter"
    samples = [_download(client, zh_url, cache)[0] for _ in range(5)]
    _, data = _download(client, zh_url, cache)
    report.add(
        "demo letters without guide, US Letter",
        _median_ms(samples) / _pages(data),
        "ms/page",
        "Chinese pages embed a CJK font subset",
    )

    client.get(demo_url)  # into the cache
    samples = []
    for _ in range(50):
        started = time.perf_counter()
        response = client.get(demo_url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200
    cached = _median_ms(samples)
    report.add("repeated download, unchanged letter (cache)", cached, "ms", "Flask test client")
    report.check("cached download at most 5 ms", cached <= 5, f"{cached:.2f} ms")

    pack_url = (
        f"/actions/{slug}/event/pack.pdf?language=en&variant=release&paper=a4&copies=50"
        f"&{pack_query}"
    )
    samples, pages = [], 0
    for _ in range(3):
        elapsed, data = _download(client, pack_url, cache)
        samples.append(elapsed)
        pages = _pages(data)
    per_page = _median_ms(samples) / pages
    report.add("event pack of 100 letters", per_page, "ms/page", f"{pages} pages")
    report.check("event pack at most 25 ms a page", per_page <= 25, f"{per_page:.1f} ms")


def _geometry_for(app, token: str) -> str:
    from actionapp.services.letters import submission_by_token
    from actionapp.services.pdf.paper import choose_paper, geometry_css

    with app.app_context():
        submission = submission_by_token(token)
        return geometry_css(choose_paper(None, submission.paper, submission.country))
