"""A small HTTP load generator: processes x threads sending prepared requests for a while."""

from __future__ import annotations

import http.client
import multiprocessing
import threading
import time
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Prepared:
    """One request, ready to send."""

    method: str
    path: str
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


def _send(port: int, request: Prepared) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(request.method, request.path, request.body, dict(request.headers))
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        connection.close()


def _worker(port, requests, seconds, threads, queue) -> None:
    statuses: Counter = Counter()
    lock = threading.Lock()
    index = [0]
    deadline = time.monotonic() + seconds

    def loop():
        local: Counter = Counter()
        while time.monotonic() < deadline:
            with lock:
                if index[0] >= len(requests):
                    break
                request = requests[index[0]]
                index[0] += 1
            local[_send(port, request)] += 1
        with lock:
            statuses.update(local)

    pool = [threading.Thread(target=loop) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    queue.put(dict(statuses))


def run_load(
    port: int, requests: list[Prepared], seconds: float, processes: int = 2, threads: int = 8
) -> tuple[float, Counter]:
    """Send the requests (split between processes) for at most `seconds`; return req/s, statuses."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    shares = [requests[i::processes] for i in range(processes)]
    started = time.perf_counter()
    workers = [
        context.Process(target=_worker, args=(port, share, seconds, threads, queue))
        for share in shares
    ]
    for worker in workers:
        worker.start()
    totals: Counter = Counter()
    for _ in workers:
        totals.update(queue.get())
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    return sum(totals.values()) / elapsed, totals
