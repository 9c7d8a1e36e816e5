"""Renders run in bounded pools of processes: one for supporters' letters, a small one for packs.

WeasyPrint is CPU-bound and scales by processes, not threads. A web process keeps the finished
PDFs (the cache) and hands each new render to a pool; a supporter's letters never queue behind
event packs, which have their own, smaller pool. The web thread waits at most the render's time
limit and then answers 503; the worker stops the render at the same deadline.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
import time
from collections import Counter, OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import inspect

from actionapp.printing.pdf.engine import (
    PdfCache,
    RenderedPdf,
    RenderTimeoutError,
    cache_key,
    engine_for,
    until,
)

LANES = ("letters", "packs")
# Pack workers run at a lower CPU priority (nice): while both render, letters come first.
_NICENESS = {"letters": 0, "packs": 10}
# Inputs keys remembered per process (each maps to a cache key: a few hundred bytes).
_MADE_FROM_MAX = 4096
# How long the web thread waits past the deadline for a worker to report that it stopped.
_GRACE_SECONDS = 2.0


def default_processes() -> int:
    """Return the default size of the letters pool: every core but one (packs get that one)."""
    return max(1, (os.cpu_count() or 2) - 1)


@dataclass(frozen=True)
class Sheet:
    """A stylesheet as the workers get it: its name, its text, and a digest for the cache key."""

    name: str
    digest: str
    text: str


def _start_worker(assets_dir: str, niceness: int) -> None:
    """Start a worker at its priority, with WeasyPrint imported and its fonts configured."""
    if niceness and hasattr(os, "nice"):
        os.nice(niceness)
    # A worker holds both ends of its queue's pipe, so it would never notice a web process
    # that was killed (SIGKILL from gunicorn's timeout): it leaves when its parent is gone.
    parent = os.getppid()
    threading.Thread(target=_leave_with, args=(parent,), daemon=True).start()
    _warm(assets_dir)


def _leave_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def _warm(assets_dir: str) -> None:
    """Have this worker's engine ready (fonts configured, WeasyPrint imported)."""
    engine_for(Path(assets_dir))


def render_job(
    assets_dir: str, html: str, sheets: list[tuple[str, str]], copies: list[int] | None,
    deadline: float,
) -> tuple[bytes, int]:  # fmt: skip
    """Render in a worker process (time.monotonic is one clock for all processes)."""
    if time.monotonic() > deadline:
        # It waited in the queue for all its time: the web thread has already answered.
        raise RenderTimeoutError("no render process was free in time")
    engine = engine_for(Path(assets_dir))
    parsed = [engine.stylesheet(name, text)[1] for name, text in sheets]
    with until(deadline):
        return engine.render_now(html, parsed, copies)


def row_values(row) -> tuple:
    """Return the values of every column of an ORM row (part of an inputs key)."""
    return tuple(getattr(row, attr.key) for attr in inspect(row).mapper.column_attrs)


def inputs_key(*parts) -> str:
    """Return a key for what a document is made from (rows, options, language), not its HTML."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class _Pools:
    """The process pools of this web process, started on first use, one per lane and size."""

    def __init__(self) -> None:
        self._pools: dict[tuple[str, int, str], ProcessPoolExecutor] = {}
        self._lock = threading.Lock()

    def get(self, lane: str, size: int, assets_dir: str) -> ProcessPoolExecutor:
        """Return the pool of a lane, starting it when needed."""
        key = (lane, size, assets_dir)
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                # "spawn": a fork of a threaded web process may deadlock in the child.
                pool = self._pools[key] = ProcessPoolExecutor(
                    max_workers=size,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                    initargs=(assets_dir, _NICENESS[lane]),
                )
            return pool

    def drop(self, lane: str, size: int, assets_dir: str) -> None:
        """Forget a broken pool (a worker died): the next render starts a new one."""
        with self._lock:
            pool = self._pools.pop((lane, size, assets_dir), None)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


POOLS = _Pools()


class Renderer:
    """This web process's side of rendering: stylesheets, the PDF cache, handing out renders."""

    def __init__(self, assets_dir: Path) -> None:
        self.assets_dir = Path(assets_dir).resolve()
        self.cache = PdfCache()
        self._sheets: dict[str, Sheet] = {}
        # Renders handed out and not yet back, per lane (for /health-like reports and tests).
        self.in_flight: Counter[str] = Counter()
        self._count_lock = threading.Lock()
        # Inputs key -> cache key: a repeated download skips building the HTML at all.
        self._made_from: OrderedDict[str, str] = OrderedDict()

    def stylesheet(self, name: str, text: str | None = None) -> Sheet:
        """Return an asset stylesheet (read once) or generated CSS with its digest."""
        found = self._sheets.get(name)
        if found is not None and (text is None or found.text == text):
            return found
        if text is None:
            text = (self.assets_dir / name).read_text()
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        sheet = self._sheets[name] = Sheet(name, digest, text)
        return sheet

    def cached_for(self, inputs: str) -> RenderedPdf | None:
        """Return the cached PDF last made from these inputs (inputs_key), or None."""
        started = time.perf_counter()
        key = self._made_from.get(inputs)
        cached = self.cache.get(key) if key is not None else None
        if cached is None:
            return None
        return RenderedPdf(cached[0], cached[1], key, True, time.perf_counter() - started)

    def render(
        self, html: str, sheets: list[Sheet], *, timeout: float, lane: str = "letters",
        processes: int = 1, copies: list[int] | None = None, inputs: str | None = None,
    ) -> RenderedPdf:  # fmt: skip
        """Return the cached PDF for this input, or render it in the lane's pool of processes.

        With `inputs` (inputs_key), remember which PDF they made, for cached_for.
        """
        if lane not in LANES:
            raise ValueError(f"unknown render lane {lane!r}")
        started = time.perf_counter()
        key = cache_key(html, [sheet.digest for sheet in sheets], copies)
        cached = self.cache.get(key)
        if cached is not None:
            self._remember(inputs, key)
            return RenderedPdf(cached[0], cached[1], key, True, time.perf_counter() - started)
        deadline = time.monotonic() + timeout
        args = (str(self.assets_dir), html, [(s.name, s.text) for s in sheets], copies, deadline)
        data, pages = self._wait(lane, processes, args, deadline)
        self.cache.put(key, data, pages)
        self._remember(inputs, key)
        return RenderedPdf(data, pages, key, False, time.perf_counter() - started)

    def _remember(self, inputs: str | None, key: str) -> None:
        if inputs is None:
            return
        with self._count_lock:
            self._made_from[inputs] = key
            self._made_from.move_to_end(inputs)
            while len(self._made_from) > _MADE_FROM_MAX:
                self._made_from.popitem(last=False)

    def submit(self, lane: str, processes: int, job, *args) -> Future:
        """Hand a job to a lane's pool (renders; tests also use it to keep a pool busy)."""
        pool = POOLS.get(lane, processes, str(self.assets_dir))
        try:
            return pool.submit(job, *args)
        except BrokenProcessPool:
            POOLS.drop(lane, processes, str(self.assets_dir))
            return POOLS.get(lane, processes, str(self.assets_dir)).submit(job, *args)

    def warm(self, lane: str, processes: int, timeout: float = 120) -> None:
        """Start a lane's pool and wait until a worker is ready (its first render is fast)."""
        self.submit(lane, processes, _warm, str(self.assets_dir)).result(timeout=timeout)

    def _wait(self, lane: str, processes: int, args: tuple, deadline: float):
        future = self.submit(lane, processes, render_job, *args)
        with self._count_lock:
            self.in_flight[lane] += 1
        future.add_done_callback(lambda _: self._done(lane))
        try:
            return future.result(timeout=deadline - time.monotonic() + _GRACE_SECONDS)
        except FutureTimeout:
            future.cancel()  # still queued: it never starts
            raise RenderTimeoutError("the render processes were busy past the limit") from None
        except BrokenProcessPool:
            POOLS.drop(lane, processes, str(self.assets_dir))
            raise RenderTimeoutError("a render process stopped; it is being replaced") from None

    def _done(self, lane: str) -> None:
        with self._count_lock:
            self.in_flight[lane] -= 1


@lru_cache(maxsize=8)
def renderer_for(assets_dir: Path) -> Renderer:
    """Return this process's renderer (cache and stylesheets) for an asset folder."""
    return Renderer(Path(assets_dir))
