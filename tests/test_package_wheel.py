"""The wheel carries what the app needs and serves from anywhere, as README's production says.

Builds a wheel from the project's files, installs it with its dependencies into a fresh virtual
environment outside the checkout, migrates a database, loads the demo and serves it with that
environment's gunicorn from another directory.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from pypdf import PdfReader

from tests.servers import fetch, gunicorn, process_env

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "actionapp" / "translations"


def project_files() -> list[str]:
    """Return the project's files as git sees them (tracked, and new ones not ignored)."""
    out = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "-co", "--exclude-standard"],
        check=True,
        capture_output=True,
    ).stdout.decode()
    return [name for name in out.split("\0") if name and (ROOT / name).is_file()]


def run(command: list, **kwargs) -> str:
    """Run a command; fail with its output when it fails; return the output."""
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{command} failed:\n{output}"
    return output


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Build the wheel from a copy of the project; return (wheel path, build output)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    for name in project_files():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    output = run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(work / "dist"), source]
    )
    (wheel,) = (work / "dist").glob("actionapp-*.whl")
    return wheel, output


@pytest.fixture(scope="module")
def installed(built, tmp_path_factory):
    """A fresh virtual environment outside the checkout with the wheel and its dependencies."""
    wheel, _ = built
    env_dir = tmp_path_factory.mktemp("venv") / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)])
    return bin_dir


def test_the_build_prints_no_deprecation_warning(built):
    _, output = built
    # setuptools' own warnings, e.g. "SetuptoolsDeprecationWarning:" or "BuildBackendWarning:"
    # (pip's "WARNING:" lines about the machine's package index are not the build's).
    warnings = [line for line in output.splitlines() if re.search(r"[a-z]Warning\b", line)]
    assert warnings == []


def test_the_wheel_holds_templates_static_files_catalogues_and_migrations(built):
    wheel, _ = built
    names = set(zipfile.ZipFile(wheel).namelist())
    data = [name for name in project_files() if name.startswith(("templates/", "static/"))]
    needed = [f"actionapp/{name}" for name in data]
    assert needed and [n for n in needed if n not in names] == []
    languages = [p.parent.parent.name for p in CATALOGUES.glob("*/LC_MESSAGES/messages.po")]
    assert "zh" in languages
    for language in languages:
        assert f"actionapp/translations/{language}/LC_MESSAGES/messages.mo" in names
    migrations = [name for name in project_files() if name.startswith("actionapp/migrations/")]
    assert migrations and [n for n in migrations if n not in names] == []
    assert "actionapp/seed/demo_action.toml" in names


def test_the_installed_wheel_serves_pages_styles_translations_and_pdfs(installed, tmp_path):
    site = tmp_path / "site"  # the service's own directory, nowhere near the checkout
    site.mkdir()
    env = process_env(
        ACTIONAPP_ENV="production",
        ACTIONAPP_SECRET_KEY="a-secret-for-the-wheel-test-0123456789abcdef",
        ACTIONAPP_SQLALCHEMY_DATABASE_URI=f"sqlite:///{site / 'actionapp.db'}",
        ACTIONAPP_PUBLIC_URL="https://act.example.org",
        ACTIONAPP_UPLOAD_FOLDER=str(site / "uploads"),
    )
    env.pop("PYTHONPATH", None)
    where = run(
        [str(installed / "python"), "-c", "import actionapp; print(actionapp.__file__)"],
        env=env,
        cwd=site,
    )
    assert Path(where.strip()).is_relative_to(installed.parent), where
    run([str(installed / "flask"), "--app", "actionapp", "db", "upgrade"], env=env, cwd=site)
    seeded = run([str(installed / "flask"), "--app", "actionapp", "seed-demo"], env=env, cwd=site)
    action_path = re.search(r"/actions/[a-z0-9-]+", seeded).group(0)

    with gunicorn(installed, env, site, tmp_path / "gunicorn.log") as served:
        status, _, body = fetch(served.base + "/")
        assert status == 200, served.log_text()
        assert action_path in body.decode()

        # The error pages are templates too (README's recipe once answered every page with
        # TemplateNotFound, the error page included).
        status, _, missing = fetch(served.base + "/actions/no-such-action")
        assert status == 404 and "<html" in missing.decode(), served.log_text()

        status, _, page = fetch(served.base + action_path)
        assert status == 200, served.log_text()
        html = page.decode()
        stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)
        status, headers, css = fetch(served.base + stylesheet)
        assert status == 200 and headers["Content-Type"].startswith("text/css")
        assert css == (ROOT / stylesheet.lstrip("/")).read_bytes()

        # The compiled Chinese catalogue is in the package: a string of the page in Chinese.
        with (CATALOGUES / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as po:
            chinese = read_po(po)["Skip to content"].string
        assert chinese
        status, _, page_zh = fetch(served.base + action_path, headers={"Accept-Language": "zh"})
        assert status == 200 and chinese in page_zh.decode()

        status, _, event_page = fetch(served.base + action_path + "/event")
        assert status == 200
        target = re.search(r'name="targets"[^>]*value="(\d+)"', event_page.decode()).group(1)
        status, headers, pdf = fetch(
            f"{served.base}{action_path}/event/pack.pdf?paper=a4&copies=1&targets={target}"
        )
        assert status == 200, served.log_text()
        assert headers["Content-Type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) >= 1
        # The court reads Chinese: a pack letter goes in each official's own language.
        assert "黄雪琴" in "".join(page.extract_text() for page in reader.pages)
        assert "Error" not in served.log_text()
