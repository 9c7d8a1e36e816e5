"""Build step: put templates/, static/ and compiled catalogues into the actionapp package.

The project keeps templates/ and static/ at the top of the checkout; an installed package must
carry them inside actionapp/ (create_app looks there first). The .mo catalogues are not kept in
git: they are compiled from the .po files here, so a wheel always has current translations.
Editable installs skip this step: create_app then serves from the checkout.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# Top-level folders copied into the package under the same name.
DATA_FOLDERS = ("templates", "static")
CATALOGUES = Path("actionapp") / "translations"


class BuildWithData(build_py):
    """Copy the template and static folders into the package and compile the catalogues."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        package = Path(self.build_lib) / "actionapp"
        for name in DATA_FOLDERS:
            target = package / name
            if target.exists():
                shutil.rmtree(target)  # a file removed from the checkout leaves the package too
            shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__"))
        compile_catalogues(ROOT / CATALOGUES, package / "translations")


def compile_catalogues(source: Path, target: Path) -> None:
    """Compile every <lang>/LC_MESSAGES/messages.po under source to a .mo under target."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file)
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalogue, use_fuzzy=True)


setup(cmdclass={"build_py": BuildWithData})
