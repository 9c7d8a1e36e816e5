"""Fixtures for printed letters: submissions, rendered PDFs read back, a local HTTP trap."""

from __future__ import annotations

import io
import subprocess
import tempfile
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from actionapp import create_app
from actionapp.campaigns.actions import primary_targets
from actionapp.extensions import db
from actionapp.letters.compose import SupporterDetails
from actionapp.letters.record import NewSubmission, mark_printed
from actionapp.models import Channel, utcnow
from tests.builders import submit_letters

MM_PER_PT = 25.4 / 72


def make_submission(action, now=None, **fields):
    """Record a print submission for the action (GB supporter writing in English by default)."""
    values = {
        "name": "Jane Doe",
        "city": "Leeds",
        "country": "GB",
        "language": "en",
        "variant": "release",
        "personal_message": "I am a teacher and I care about free speech.",
        "street_address": "1 High Street\nLS1 1AA",
        "target_ids": [t.id for t in primary_targets(action)],
        "seed": "seed",
    }
    channel = Channel(fields.pop("channel", "print"))
    downloaded = fields.pop("downloaded", True)
    paper = fields.pop("paper", "")
    key = fields.pop("client_key", uuid.uuid4().hex)
    values.update(fields)
    new = NewSubmission(
        details=SupporterDetails(**values),
        channel=channel,
        client_key=key,
        consent_text="I agree",
        paper=paper,
        email="jane@example.org" if channel == Channel.EMAIL else None,
    )
    submission = submit_letters(action, new, now or utcnow())
    if channel == Channel.PRINT and downloaded:
        # As after its first download: the letters count as printed.
        mark_printed(submission, now or utcnow())
    return submission


@dataclass(frozen=True)
class Word:
    """A word on a PDF page, its box in millimetres from the top-left corner."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class ReadPdf:
    """A PDF read back: pages' sizes (mm), texts and words."""

    data: bytes

    def __post_init__(self) -> None:
        self.reader = PdfReader(io.BytesIO(self.data))
        with pdfplumber.open(io.BytesIO(self.data)) as pdf:
            self.sizes = [(p.width * MM_PER_PT, p.height * MM_PER_PT) for p in pdf.pages]
            self.texts = [p.extract_text() or "" for p in pdf.pages]
            self.words = [
                [
                    Word(
                        w["text"],
                        w["x0"] * MM_PER_PT,
                        w["top"] * MM_PER_PT,
                        w["x1"] * MM_PER_PT,
                        w["bottom"] * MM_PER_PT,
                    )
                    for w in p.extract_words(keep_blank_chars=False, use_text_flow=True)
                ]
                for p in pdf.pages
            ]

    @property
    def pages(self) -> int:
        """Return the page count."""
        return len(self.texts)


def read_pdf(data: bytes) -> ReadPdf:
    """Parse a PDF with pypdf and pdfplumber."""
    return ReadPdf(data)


def _with_file(data: bytes, command: list[str]) -> subprocess.CompletedProcess:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        return subprocess.run([*command, handle.name], capture_output=True, text=True, check=False)


def qpdf_check(data: bytes) -> subprocess.CompletedProcess:
    """Run `qpdf --check` on a PDF."""
    return _with_file(data, ["qpdf", "--check"])


def uncompressed(data: bytes) -> bytes:
    """Return the PDF with every stream decompressed (qpdf), to search its bytes."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.pdf", Path(folder) / "out.pdf"
        source.write_bytes(data)
        subprocess.run(
            ["qpdf", "--stream-data=uncompress", "--object-streams=disable", source, target],
            check=True,
            capture_output=True,
        )
        return target.read_bytes()


def pdffonts(data: bytes) -> list[dict[str, str]]:
    """Return the fonts `pdffonts` lists: name, type, emb, sub."""
    result = _with_file(data, ["pdffonts"])
    assert result.returncode == 0, result.stderr
    fonts = []
    for line in result.stdout.splitlines()[2:]:
        parts = line.split()
        # name, type words..., encoding, emb, sub, uni, object id, generation
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "line": line})
    return fonts


def pdfinfo(data: bytes) -> dict[str, str]:
    """Return `pdfinfo`'s fields."""
    result = _with_file(data, ["pdfinfo"])
    assert result.returncode == 0, result.stderr
    return {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in result.stdout.splitlines())
    }


class TrapServer:
    """A local HTTP server that records every request it receives."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        trap = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                trap.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body { color: red }")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> TrapServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def trap_server():
    """A local HTTP server that must receive no request."""
    with TrapServer() as server:
        yield server


@pytest.fixture(scope="module")
def print_app(database_url):
    """A module-wide app on the test database, for rendering PDFs once per module.

    Tables are emptied at the end of the module; tests read only the rendered bytes.
    """
    from tests.conftest import _empty_tables

    application = create_app(
        {
            "ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "PUBLIC_URL": "https://letters.example.org",
        }
    )
    _empty_tables(application)
    yield application
    _empty_tables(application)
    with application.app_context():
        db.engine.dispose()


__all__ = [
    "MM_PER_PT",
    "ReadPdf",
    "TrapServer",
    "Word",
    "make_submission",
    "pdffonts",
    "pdfinfo",
    "qpdf_check",
    "read_pdf",
    "uncompressed",
]
