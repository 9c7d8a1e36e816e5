"""The one set of rules for a target's fields, whichever way they arrive (form, CSV import)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask_babel import lazy_gettext as _l

from actionapp.email.addresses import EmailAddressError, address_message, normalise_email
from actionapp.email.messages import is_header_safe
from actionapp.models import TargetKind
from actionapp.printing.pdf.checks import recipient_problems
from actionapp.web.i18n import is_country, is_language

# Characters per field; the address counts all its lines.
LINE_MAX = 200
ADDRESS_MAX = 1000
TEXT_MAX = 2000


@dataclass(frozen=True)
class TargetFields:
    """Everything the target form edits."""

    kind: TargetKind
    supporter_country: str | None
    name: str
    title: str
    organisation: str
    address_lines: str
    country: str
    email: str | None
    language: str
    salutations: dict[str, str]
    why: str
    is_example: bool


def clean_target(values: TargetFields) -> tuple[TargetFields, list[tuple[str, str]]]:
    """Return the values as stored (email in ASCII form) and problems as (field name, message)."""
    problems: list[tuple[str, str]] = []

    def refuse(name: str, message) -> None:
        problems.append((name, str(message)))

    if not values.name.strip():
        refuse("name", _l("A name is needed (at most 200 characters)."))
    # Name, title and organisation go into the To header and the address block: one line.
    for name in ("name", "title", "organisation"):
        text = getattr(values, name)
        if len(text) > LINE_MAX:
            refuse(name, _l("Please use at most %(n)d characters.", n=LINE_MAX))
        if not is_header_safe(text):
            refuse(name, _l("Please write this on one line, without the characters =?"))
    if len(values.address_lines) > ADDRESS_MAX:
        refuse("address_lines", _l("Please use at most %(n)d characters.", n=ADDRESS_MAX))
    if len(values.why) > TEXT_MAX:
        refuse("why", _l("Please use at most %(n)d characters.", n=TEXT_MAX))
    for name, code in (
        ("country", values.country),
        ("supporter_country", values.supporter_country),
    ):
        needed = name == "supporter_country" and values.kind == TargetKind.EMBASSY
        if (code or needed) and not is_country(code or ""):
            refuse(name, _l("“%(value)s” is not a country code such as GB.", value=code or ""))
    if not is_language(values.language or ""):
        refuse(
            "language", _l("“%(value)s” is not a language code such as en.", value=values.language)
        )
    for code, text in values.salutations.items():
        if not is_language(code) or len(text) > LINE_MAX or not is_header_safe(text):
            refuse("salutations", _l("Not understood: %(lines)s", lines=f"{code}: {text}"))
    if values.address_lines and not any(name == "address_lines" for name, _m in problems):
        # Whatever is accepted must print inside the envelope window on every paper size.
        for problem in recipient_problems(
            values.name, values.organisation, values.address_lines, values.language or "en"
        ):
            refuse("address_lines", problem)
    email = values.email
    if email:
        try:
            email = normalise_email(email)
        except EmailAddressError as error:
            refuse("email", address_message(error.problem))
    return replace(values, email=email or None), problems
