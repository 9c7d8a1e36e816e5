"""The one check of an email address that mail will be sent to (targets, organisers)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


def checked_email(address: str) -> str:
    """Return one address in the ASCII form mail goes to (IDNA2008 domain); ValueError if not.

    No SMTPUTF8: our relay path cannot promise it, so a non-ASCII local part is refused.
    """
    try:
        result = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise ValueError(str(error)) from error
    return result.ascii_email or result.normalized
