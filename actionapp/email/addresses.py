"""Email addresses: the one normalisation every address goes through, wherever it enters.

The composer, the organiser forms (targets, organisers, sign-in, data requests), the CLI and
the mail code all call `normalise_email`, so an address is stored, compared, sent to and put in
a mailto: link in one form: ASCII, lower-case, its domain in IDNA2008 (what registries and
browsers use). Python's own "idna" codec is IDNA2003, which turns straße.de into strasse.de, a
different domain: nothing here or downstream may use it.
"""

from __future__ import annotations

from enum import StrEnum

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

MAX_LENGTH = 254  # RFC 5321's limit on a forward path, less the angle brackets


class AddressProblem(StrEnum):
    """Why an address is refused; forms turn each into a clear message."""

    LINE_BREAK = "line_break"  # a line break, a control character or an encoded word "=?"
    BRACKETS = "brackets"  # <name@example.org> or a display name
    SEVERAL = "several"  # a comma or semicolon: a list, or a typo at the end
    NON_ASCII_NAME = "non_ascii_name"  # 用户@example.org needs SMTPUTF8, which we cannot promise
    TOO_LONG = "too_long"
    INVALID = "invalid"


class EmailAddressError(ValueError):
    """An address the app refuses, with the problem and email-validator's explanation."""

    def __init__(self, problem: AddressProblem, detail: str = "") -> None:
        super().__init__(detail or problem.value)
        self.problem = problem
        self.detail = detail


def normalise_email(raw: str) -> str:
    """Return the address mail goes to: trimmed, lower-case, ASCII, IDNA2008 domain.

    `Jane@Straße.de` -> `jane@xn--strae-oqa.de`. No DNS look-up is made.
    Raises EmailAddressError for anything else, never cleans a dangerous value up.
    """
    value = (raw or "").strip()
    if any(not char.isprintable() for char in value) or "=?" in value:
        # Line breaks and control characters end a header; "=?" starts an RFC 2047 encoded
        # word that Python may decode into one (CVE-2024-6923). "=" and "?" are otherwise
        # valid in a local part, so email-validator alone would accept "=?".
        raise EmailAddressError(AddressProblem.LINE_BREAK)
    if "<" in value or ">" in value:
        raise EmailAddressError(AddressProblem.BRACKETS)
    if "," in value or ";" in value:
        raise EmailAddressError(AddressProblem.SEVERAL)
    if len(value) > MAX_LENGTH:
        raise EmailAddressError(AddressProblem.TOO_LONG)
    local, at, _domain = value.rpartition("@")
    if at and not local.isascii():
        raise EmailAddressError(AddressProblem.NON_ASCII_NAME)
    try:
        checked = validate_email(
            value,
            check_deliverability=False,  # no DNS: it is slow, and offline it always fails
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
        )
    except EmailNotValidError as error:
        raise EmailAddressError(AddressProblem.INVALID, str(error)) from error
    # email-validator's ascii_email: the local part as typed, the domain in IDNA2008 form.
    # Lower-cased whole: the app compares addresses without case, so it stores them so.
    return checked.ascii_email.lower()


def email_lookup_key(raw: str) -> str:
    """Return the form to look an address up by: normalised, or trimmed and lower-case.

    For searches only (sign-in, data requests): an address the app would refuse today may
    still be stored from before, and must still be found.
    """
    if (raw or "").isascii():
        # The same answer without the validator's cost (it is asked per recipient and per post):
        # for ASCII, normalise_email returns the trimmed value lower-cased, or refuses it.
        return (raw or "").strip().lower()
    try:
        return normalise_email(raw)
    except EmailAddressError:
        return (raw or "").strip().lower()


def address_message(problem: AddressProblem) -> str:
    """Return the message (translated lazily) that tells a person why an address is refused."""
    return {
        AddressProblem.LINE_BREAK: _l("Please write the address on one line, without =?"),
        AddressProblem.BRACKETS: _l("Please write the address alone, without < > or a name."),
        AddressProblem.SEVERAL: _l("Please give one address, without commas or semicolons."),
        AddressProblem.NON_ASCII_NAME: _l(
            "We cannot send to addresses with non-Latin letters before the @ yet. "
            "Please give another address."
        ),
        AddressProblem.TOO_LONG: _l("This address is too long."),
        AddressProblem.INVALID: _l("This does not look like an email address."),
    }[problem]
