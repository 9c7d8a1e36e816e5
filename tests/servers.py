"""Real server processes for deployment tests: gunicorn and outbox workers, and HTTP helpers."""

from __future__ import annotations

import http.cookiejar
import os
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from tests.fixtures_email import free_port

# How long a process may take to start listening (a busy shared machine is slow); a stuck
# start fails the test with its log.
START_LIMIT_SECONDS = 120


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


class _FormParser(HTMLParser):
    """Collect the fields of the first form whose action contains a path (or ".class")."""

    def __init__(self, action_part: str):
        super().__init__()
        self.action_part = action_part
        self.inside = False
        self.done = False
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None
        self.first_option: tuple[str, str] | None = None
        self.selected = False
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form" and not self.done:
            if self.action_part.startswith("."):  # a form found by its class
                self.inside = self.action_part[1:] in a.get("class", "").split()
            else:
                self.inside = self.action_part in a.get("action", "")
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self.select, self.first_option, self.selected = a.get("name"), None, False
        elif tag == "option" and self.select:
            option = (self.select, a.get("value", ""))
            self.first_option = self.first_option or option
            if "selected" in a:
                self.fields.append(option)
                self.selected = True
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), ""

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "select" and self.select:
            if not self.selected and self.first_option:
                self.fields.append(self.first_option)
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None
        elif tag == "form":
            self.inside, self.done = False, True


def form_fields(html: str, action_part: str) -> list[tuple[str, str]]:
    """Return what a browser would submit from a page's form as it stands (no button).

    The form is the first whose action contains action_part, or with ".name" whose class is name.
    """
    parser = _FormParser(action_part)
    parser.feed(html)
    assert parser.done, f"no form posting to {action_part!r} in the page"
    return parser.fields


class _BehindTlsProxy(http.cookiejar.DefaultCookiePolicy):
    """Return Secure cookies over plain HTTP: the client reached a TLS-terminating proxy."""

    def return_ok_secure(self, cookie, request):
        return True


class Browser:
    """A client with its own cookies, speaking HTTP to real servers; redirects not followed.

    With forwarded_for it stands for a visitor behind the reverse proxy of production
    (PROXY_COUNT=1): it sends X-Forwarded-For and X-Forwarded-Proto: https as the proxy would.
    """

    def __init__(self, headers: dict | None = None, forwarded_for: str | None = None):
        self.headers = dict(headers or {})
        policy = None
        if forwarded_for:
            self.headers.update({"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"})
            policy = _BehindTlsProxy()
        self.cookies = http.cookiejar.CookieJar(policy)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            NoRedirect, urllib.request.HTTPCookieProcessor(self.cookies)
        )

    def request(self, url: str, fields: list[tuple[str, str]] | None = None):
        """GET, or POST form fields; return (status, headers, text)."""
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        request = urllib.request.Request(url, data=data, headers=self.headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode(errors="replace")


def compose_fields(html: str, slug: str, **values: str) -> list[tuple[str, str]]:
    """Return the composer's fields as the page has them, with a supporter's values set."""
    fields = [(k, v) for k, v in form_fields(html, f"/actions/{slug}/write") if k not in values]
    return fields + list(values.items())
