"""Real-world inputs (../shared/realworld, copied here so a fresh clone tests alone): loaders."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The workplace's shared copy, beside the checkout; ours must hold every case it has.
SHARED = HERE.parents[2] / "shared" / "realworld"


def supporters() -> list[dict]:
    """Return every invented supporter, `message_repeat` repeated up to the paragraph's limit."""
    from actionapp.public.forms import PERSONAL_MAX

    people = json.loads((HERE / "supporters.json").read_text(encoding="utf-8"))
    for person in people:
        if "message_repeat" in person:
            unit = person.pop("message_repeat")
            person["message"] = (unit * (PERSONAL_MAX // len(unit) + 1))[:PERSONAL_MAX]
    return people


def targets() -> list[dict]:
    """Return every invented official (name, organisation, address, country, language...)."""
    return json.loads((HERE / "targets.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class EmailCase:
    """One email address and whether the app must accept it (and what it must send to)."""

    address: str
    expectation: str

    @property
    def accepted(self) -> bool:
        """Tell whether the address must be accepted."""
        return self.expectation.startswith("accepted")


def emails() -> list[EmailCase]:
    """Return the email cases; a literal `\\n` in the file stands for a line break."""
    cases = []
    for line in (HERE / "emails.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        address, expectation = line.split("\t", 1)
        cases.append(EmailCase(address.replace("\\n", "\n"), expectation))
    return cases


def accept_languages() -> list[str]:
    """Return the Accept-Language headers browsers send, one per entry."""
    return [
        line
        for line in (HERE / "accept-language.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("# ")
    ]
