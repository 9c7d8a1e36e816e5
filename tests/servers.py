"""Real server processes for deployment tests: gunicorn and outbox workers, and HTTP helpers."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.fixtures_email import free_port

# How long a process may take to start listening; a stuck start fails the test with its log.
START_LIMIT_SECONDS = 60


@dataclass
class Served:
    """A gunicorn process serving on a loopback port, with its log file."""

    port: int
    process: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        """Return the base address, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        """Return what the process wrote so far."""
        return self.log.read_text(errors="replace")


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    """Wait until something listens on the port; fail with the log if the process exits."""
    deadline = time.monotonic() + START_LIMIT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"process exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listened on port {port}:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    """Stop a process we started with SIGTERM (gunicorn and the worker finish what they do)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def gunicorn(
    bin_dir: Path, env: dict[str, str], cwd: Path, log: Path, workers: int = 2
) -> Iterator[Served]:
    """Serve 'actionapp:create_app()' with bin_dir's gunicorn on a free loopback port."""
    port = free_port()
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                *(str(bin_dir / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}"),
                *("--log-level", "warning", "actionapp:create_app()"),
            ],
            env=env,
            cwd=cwd,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process, log)
        yield Served(port, process, log)
    finally:
        stop(process)


def process_env(**settings: str) -> dict[str, str]:
    """Return this process's environment without ACTIONAPP_* keys, plus the given settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACTIONAPP_", "FLASK_"))}
    env.update(settings)
    return env


def fetch(url: str, data: bytes | None = None, headers: dict | None = None):
    """GET (or POST data) without following redirects; return (status, headers, body bytes)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
