"""WeasyPrint, kept warm per process: one font configuration, parsed stylesheets, a PDF cache."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import weasyprint
from weasyprint import CSS, HTML
from weasyprint.logger import PROGRESS_LOGGER
from weasyprint.text.fonts import FontConfiguration

from actionapp.printing.pdf.fetcher import PrintAssetFetcher

PDF_VARIANT = "pdf/ua-1"
COPY_SECTION = "copy-section-"
_deadline: ContextVar[float | None] = ContextVar("pdf_render_deadline", default=None)


class RenderTimeoutError(Exception):
    """A render ran past its time limit and was stopped."""


@dataclass(frozen=True)
class RenderedPdf:
    """A finished PDF and what it took."""

    data: bytes
    pages: int
    key: str
    from_cache: bool
    seconds: float


class _DeadlineGuard(logging.Handler):
    """Stop a render between two of WeasyPrint's steps (one per laid-out page) once too late.

    WeasyPrint reports its progress through a logger; raising from the handler unwinds the
    render in the thread that runs it, so no other request is affected.
    """

    def emit(self, record: logging.LogRecord) -> None:
        deadline = _deadline.get()
        if deadline is not None and time.monotonic() > deadline:
            raise RenderTimeoutError(f"stopped at {record.getMessage()!r}")


def _install_deadline_guard() -> None:
    if not any(isinstance(h, _DeadlineGuard) for h in PROGRESS_LOGGER.handlers):
        PROGRESS_LOGGER.addHandler(_DeadlineGuard())
    PROGRESS_LOGGER.setLevel(logging.INFO)
    # Progress records are for the guard only: keep them out of the app's logs.
    PROGRESS_LOGGER.propagate = False


@contextmanager
def until(deadline: float):
    """Stop any render in this block that runs past `deadline` (a time.monotonic value)."""
    token = _deadline.set(deadline)
    try:
        yield
    finally:
        _deadline.reset(token)


def time_limit(seconds: float):
    """Stop any render in this block that runs past `seconds`."""
    return until(time.monotonic() + seconds)


class PdfCache:
    """Finished PDFs by content key, least recently used first out, bounded in bytes and age."""

    def __init__(self, max_bytes: int = 64 * 2**20, max_age: float = 3600) -> None:
        self.max_bytes = max_bytes
        self.max_age = max_age
        self._items: OrderedDict[str, tuple[float, bytes, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, int] | None:
        """Return a cached PDF and its page count, or None."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            stored, data, pages = item
            if time.monotonic() - stored > self.max_age:
                self._drop(key)
                return None
            self._items.move_to_end(key)
            return data, pages

    def put(self, key: str, data: bytes, pages: int) -> None:
        """Keep a PDF, dropping the least recently used ones beyond the size limit."""
        if len(data) > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                self._drop(key)
            self._items[key] = (time.monotonic(), data, pages)
            self._size += len(data)
            while self._size > self.max_bytes:
                self._drop(next(iter(self._items)))

    def clear(self) -> None:
        """Forget every cached PDF."""
        with self._lock:
            self._items.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._items)

    def _drop(self, key: str) -> None:
        _, data, _ = self._items.pop(key)
        self._size -= len(data)


class PdfEngine:
    """Everything WeasyPrint needs that can be reused between renders in one process.

    The app renders in worker processes (pool.py), each with its own engine; `render` with its
    own cache and lock serves direct use in one process.
    """

    def __init__(self, assets_dir: Path) -> None:
        _install_deadline_guard()
        self.assets_dir = Path(assets_dir).resolve()
        self.base_url = self.assets_dir.as_uri() + "/"
        self.fetcher = PrintAssetFetcher(self.assets_dir)
        self.font_config = FontConfiguration()
        self.cache = PdfCache()
        self._stylesheets: dict[str, tuple[str, CSS]] = {}
        # Layout is CPU-bound (threads would not help) and fonts are shared: one at a time.
        self._lock = threading.Lock()

    def stylesheet(self, name: str, text: str | None = None) -> tuple[str, CSS]:
        """Return (digest, parsed CSS) of an asset file or of generated CSS, parsed once."""
        if text is None:
            text = (self.assets_dir / name).read_text()
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        key = f"{name}:{digest}"
        found = self._stylesheets.get(key)
        if found is None:
            css = CSS(
                string=text,
                base_url=self.base_url,
                url_fetcher=self.fetcher,
                font_config=self.font_config,
            )
            found = self._stylesheets[key] = (digest, css)
        return found

    def render(
        self,
        html: str,
        stylesheets: list[tuple[str, CSS]],
        *,
        timeout: float,
        copies: list[int] | None = None,
    ) -> RenderedPdf:
        """Render HTML to a tagged PDF, or return the cached PDF for the same input.

        With `copies`, the pages of the n-th element whose id starts with "copy-section-"
        appear copies[n] times: identical letters are laid out once.
        """
        started = time.perf_counter()
        key = cache_key(html, [digest for digest, _ in stylesheets], copies)
        cached = self.cache.get(key)
        if cached is not None:
            data, pages = cached
            return RenderedPdf(data, pages, key, True, time.perf_counter() - started)
        # Waiting for another render counts against the same limit.
        if not self._lock.acquire(timeout=max(timeout, 0.001)):
            raise RenderTimeoutError("other renders kept this process busy")
        try:
            with time_limit(timeout - (time.perf_counter() - started)):
                data, pages = self.render_now(html, [css for _, css in stylesheets], copies)
        finally:
            self._lock.release()
        self.cache.put(key, data, pages)
        return RenderedPdf(data, pages, key, False, time.perf_counter() - started)

    def render_now(
        self, html: str, stylesheets: list[CSS], copies: list[int] | None
    ) -> tuple[bytes, int]:
        """Render HTML to PDF bytes and a page count, now, in this thread."""
        document = HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
            stylesheets=stylesheets, font_config=self.font_config, pdf_variant=PDF_VARIANT
        )
        # Our templates never attach files; drop anything that would (defence in depth).
        document.metadata.attachments = []
        if copies is not None:
            document = document.copy(repeated_pages(document.pages, copies))
        data = document.write_pdf(pdf_variant=PDF_VARIANT)
        return data, len(document.pages)


def repeated_pages(pages: list, copies: list[int]) -> list:
    """Return the pages with each copy section's pages repeated as often as asked."""
    starts, seen = [], set()
    for index, page in enumerate(pages):
        # A section's anchor is listed on every page its element reaches: take the first.
        for anchor in page.anchors:
            if anchor.startswith(COPY_SECTION) and anchor not in seen:
                seen.add(anchor)
                starts.append(index)
    if len(starts) != len(copies):
        raise ValueError(f"{len(copies)} copy counts for {len(starts)} copy sections")
    result = list(pages[: starts[0]]) if starts else list(pages)
    for count, start, end in zip(copies, starts, [*starts[1:], len(pages)], strict=True):
        result.extend(pages[start:end] * count)
    return result


def cache_key(html: str, stylesheet_digests: list[str], repeat: list[int] | None) -> str:
    """Return a key covering everything that shapes a PDF: HTML, CSS, options, WeasyPrint."""
    digest = hashlib.sha256()
    for part in (weasyprint.__version__, PDF_VARIANT, *stylesheet_digests, repr(repeat), html):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def engine_for(assets_dir: Path) -> PdfEngine:
    """Return this process's engine for an asset folder (one per render worker)."""
    return _engine(Path(assets_dir))


@lru_cache(maxsize=8)
def _engine(assets_dir: Path) -> PdfEngine:
    return PdfEngine(assets_dir)
