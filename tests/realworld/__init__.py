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
    from actionapp.letters.forms import PERSONAL_MAX

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


def composer_refusal(
    person: dict, channel: str = "print", languages: tuple[str, ...] = ("en", "zh")
) -> str | None:
    """Return why the composer refuses this supporter's details for a channel, or None.

    The product decides, with the checks the composer calls (characters no installed font can
    draw, for every channel; a return address that cannot print in its zone, for the channels
    that print it); tests that follow supporters through the channels take the others, and
    assert that these are refused with this message (in an app context).
    """
    from actionapp.printing.pdf.checks import sender_problem
    from actionapp.printing.pdf.fonts import undrawable

    typed = (person["name"], person["street"], person["city"], person.get("message", ""))
    if undrawable(" ".join(typed)):
        return "cannot be printed on a letter"
    if person["street"]:
        from flask import current_app

        with current_app.test_request_context(headers={"Accept-Language": "en"}):
            problem = sender_problem(
                person["name"], person["street"], person["city"], person["country"],
                list(languages), person["language"], channel,
            )  # fmt: skip
        if problem:
            return problem.split(";")[0]
    return None


def assert_refused(response, refusal: str) -> None:
    """Assert the composer answered 422 and says why (composer_refusal's message)."""
    import html

    assert response.status_code == 422
    assert refusal in html.unescape(response.get_data(as_text=True))


def accepted_supporters(channel: str = "print") -> list[dict]:
    """Return the supporters the composer accepts for a channel (composer_refusal; app context).

    The default, printing, is the channel that refuses most: these are accepted for every one.
    """
    return [person for person in supporters() if composer_refusal(person, channel) is None]
