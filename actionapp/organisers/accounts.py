"""Organiser accounts: argon2 password hashes, and sign-in throttled per account and address."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from actionapp.database import insert_with_conflicts
from actionapp.email.addresses import EmailAddressError, email_lookup_key, normalise_email
from actionapp.extensions import db
from actionapp.models import Organiser, Role, SignInThrottle
from actionapp.organisers.models import new_session_token
from actionapp.rule_errors import RuleError


class OrganiserError(RuleError):
    """An organiser account could not be created or changed as asked.

    Codes: password_too_short (min_length), email_refused (email, problem), email_taken (email),
    last_admin (the last active administrator may not be demoted or deactivated).
    """


@lru_cache(maxsize=1)
def password_hasher() -> PasswordHasher:
    """Return argon2-cffi's hasher with its default (RFC 9106 low-memory) parameters."""
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verified against when the account does not exist, so that both answers take as long.
    return password_hasher().hash("not a real password, only for timing")


def check_password(password: str, min_length: int) -> None:
    """Refuse passwords that are too short."""
    if len(password) < min_length:
        raise OrganiserError("password_too_short", min_length=min_length)


def organiser_by_email(email: str) -> Organiser | None:
    """Return the organiser with this email, if any."""
    return db.session.scalar(select(Organiser).where(Organiser.email == email_lookup_key(email)))


def create_organiser(
    email: str, password: str, role: Role, now: datetime, min_length: int = 12
) -> Organiser:
    """Add an organiser with a hashed password (flushes, never commits)."""
    try:
        email = normalise_email(email)
    except EmailAddressError as error:
        raise OrganiserError("email_refused", email=email, problem=error.problem) from None
    if organiser_by_email(email) is not None:
        raise OrganiserError("email_taken", email=email)
    check_password(password, min_length)
    organiser = Organiser(
        email=email, password_hash=password_hasher().hash(password), role=role, created_at=now
    )
    db.session.add(organiser)
    db.session.flush()
    return organiser


def set_password(organiser: Organiser, password: str, min_length: int = 12) -> None:
    """Give an organiser a new password and end all their sessions."""
    check_password(password, min_length)
    organiser.password_hash = password_hasher().hash(password)
    end_all_sessions(organiser)


def end_all_sessions(organiser: Organiser) -> None:
    """End every session signed in as this organiser: a copied cookie no longer opens a page."""
    organiser.session_token = new_session_token()


def set_access(organiser: Organiser, role: Role, active: bool) -> None:
    """Change an organiser's role or active flag; ends their sessions when either changes.

    Raises OrganiserError("last_admin") rather than leave no active administrator.
    """
    losing_admin = organiser.role == Role.ADMIN and organiser.active
    if losing_admin and (role != Role.ADMIN or not active) and active_admin_count() <= 1:
        raise OrganiserError("last_admin")
    if organiser.role != role or organiser.active != active:
        end_all_sessions(organiser)
    organiser.role = role
    organiser.active = active


def active_admin_count() -> int:
    """Return how many active admins there are (the last one may not be demoted)."""
    return len(
        db.session.scalars(
            select(Organiser.id).where(Organiser.role == Role.ADMIN, Organiser.active.is_(True))
        ).all()
    )


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failed sign-ins are allowed, within what window, and for how long they lock."""

    account_max: int = 5
    address_max: int = 20
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class SignInResult:
    """What a sign-in attempt gave: the organiser, or why not."""

    organiser: Organiser | None = None
    locked_until: datetime | None = None
    # "account" or "address": which lock is in force.
    locked_scope: str = ""


def _throttle(key: str, now: datetime) -> SignInThrottle:
    """Return the throttle row for a key, created if needed and locked for this transaction."""
    insert = insert_with_conflicts()
    db.session.execute(
        insert(SignInThrottle)
        .values(key=key, failures=0, window_started_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    throttle = db.session.scalar(
        select(SignInThrottle)
        .where(SignInThrottle.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert throttle is not None
    return throttle


def _record_failure(throttle: SignInThrottle, limit: int, policy: ThrottlePolicy, now) -> None:
    if now - throttle.window_started_at > policy.window:
        throttle.failures = 0
        throttle.window_started_at = now
    throttle.failures += 1
    if throttle.failures >= limit:
        throttle.locked_until = now + policy.lockout
        throttle.failures = 0
        throttle.window_started_at = now


def authenticate(
    email: str, password: str, address: str, now: datetime, policy: ThrottlePolicy
) -> SignInResult:
    """Check a sign-in; count failures per account and address and lock after too many.

    While a lock is in force the password is not even checked, so guessing goes no further.
    Run it in write_transaction(): the throttles are read, then written.
    """
    email = email_lookup_key(email)[:254]
    account = _throttle(f"account:{email}", now)
    by_address = _throttle(f"address:{address or 'unknown'}"[:300], now)
    for scope, throttle in (("account", account), ("address", by_address)):
        if throttle.locked_until and throttle.locked_until > now:
            return SignInResult(locked_until=throttle.locked_until, locked_scope=scope)
    organiser = organiser_by_email(email)
    if _password_matches(organiser, password):
        assert organiser is not None
        account.failures = 0
        account.locked_until = None
        organiser.last_sign_in_at = now
        organiser.failed_sign_ins = 0
        db.session.flush()
        return SignInResult(organiser=organiser)
    _record_failure(account, policy.account_max, policy, now)
    _record_failure(by_address, policy.address_max, policy, now)
    if organiser is not None:
        organiser.failed_sign_ins += 1
        organiser.last_failed_sign_in_at = now
    db.session.flush()
    for scope, throttle in (("account", account), ("address", by_address)):
        if throttle.locked_until and throttle.locked_until > now:
            return SignInResult(locked_until=throttle.locked_until, locked_scope=scope)
    return SignInResult()


def _password_matches(organiser: Organiser | None, password: str) -> bool:
    hasher = password_hasher()
    if organiser is None or not organiser.active:
        with contextlib.suppress(VerificationError):
            hasher.verify(_dummy_hash(), password)
        return False
    try:
        hasher.verify(organiser.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(organiser.password_hash):
        organiser.password_hash = hasher.hash(password)
    return True


def organiser_for_session(login_id: str) -> Organiser | None:
    """Return the active organiser behind a session's login id ("<id>:<session token>")."""
    organiser_id, _, token = (login_id or "").partition(":")
    if not organiser_id.isdigit() or not token:
        return None
    organiser = db.session.get(Organiser, int(organiser_id))
    if organiser is None or not organiser.active:
        return None
    if not secrets.compare_digest(organiser.session_token.encode(), token.encode()):
        return None
    return organiser
