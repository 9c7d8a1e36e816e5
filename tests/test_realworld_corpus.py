"""Our copy of the real-world inputs holds every case of the workplace's shared corpus."""

from __future__ import annotations

import json

import pytest

from tests import realworld

pytestmark = pytest.mark.skipif(
    not realworld.SHARED.is_dir(), reason="no ../shared/realworld beside this checkout"
)


@pytest.mark.parametrize("name", ["supporters.json", "targets.json"])
def test_copy_holds_every_shared_record(name):
    ours = json.loads((realworld.HERE / name).read_text(encoding="utf-8"))
    shared = json.loads((realworld.SHARED / name).read_text(encoding="utf-8"))
    missing = [record for record in shared if record not in ours]
    assert not missing, f"copy these cases of ../shared/realworld/{name} into tests/realworld"


@pytest.mark.parametrize("name", ["emails.txt", "accept-language.txt"])
def test_copy_holds_every_shared_line(name):
    ours = set((realworld.HERE / name).read_text(encoding="utf-8").splitlines())
    shared = (realworld.SHARED / name).read_text(encoding="utf-8").splitlines()
    missing = [line for line in shared if line not in ours]
    assert not missing, f"copy these lines of ../shared/realworld/{name} into tests/realworld"


def test_loaders_read_every_case():
    assert len(realworld.supporters()) >= 20
    assert all(person["name"] and person["country"] for person in realworld.supporters())
    assert {case.accepted for case in realworld.emails()} == {True, False}
    assert "zh_CN" in realworld.accept_languages()
