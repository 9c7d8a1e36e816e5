"""Updates emailed to the supporters who asked for them, and one-click unsubscribe (RFC 8058).

Who receives an update: every address that wrote for the action with the updates opt-in,
whose personal data is still held, and that has not unsubscribed from the action or from all;
one email per address, in the language of its newest such submission (texts fall back to the
action's own language as on the action page). The message belongs to that submission, so
purge and erasure (services.privacy) remove it with the rest.

The unsubscribe link is stateless: "<update id>.<submission id>.<HMAC>" signed with the
app's secret key, short enough to stay on one header line. An organiser's test send carries
submission id 0 (TEST_SUBMISSION): its link names nobody and unsubscribes nobody.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, insert, select

from actionapp.campaigns.case_texts import case_texts
from actionapp.campaigns.follow_ups import invitation
from actionapp.database import copy_rows, insert_with_conflicts, is_sqlite
from actionapp.email.messages import (
    HeaderInjectionError,
    MailSettings,
    ascii_address,
    header_text,
    make_message_id,
    stored_address,
)
from actionapp.email.outbox import (
    LINK_MARK,
    TO_MARK,
    add_template,
    bounced_addresses,
    is_bounced,
    queue_message,
)
from actionapp.extensions import db
from actionapp.letters.record import sender_key
from actionapp.models import (
    Action,
    ActionUpdate,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Submission,
    Unsubscription,
    UpdateSend,
)
from actionapp.web.links import public_url_for

ALL = "all"
# The submission id in the unsubscribe link of an organiser's test send: no supporter's.
TEST_SUBMISSION = 0
# Stands for a token in a link built once (never a real one: tokens hold a "." or are longer).
TOKEN_MARK = "0TOKEN0"  # noqa: S105
# Messages inserted per statement: one round trip each, whatever the number of supporters.
BATCH = 5000


def action_scope(action_id: int) -> str:
    """Return the unsubscription scope of one action's updates."""
    return f"action:{action_id}"


def signature(secret: str, message: str) -> str:
    """Return a 128-bit HMAC of a message, URL-safe: the proof in a stateless link."""
    digest = hmac.digest(secret.encode(), message.encode(), "sha256")[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _mac(secret: str, update_id: int, submission_id: int) -> str:
    return signature(secret, f"unsubscribe:{update_id}:{submission_id}")


def unsubscribe_token(secret: str, update_id: int, submission_id: int) -> str:
    """Return the unguessable token of one update email's unsubscribe link (128-bit HMAC)."""
    return f"{update_id}.{submission_id}.{_mac(secret, update_id, submission_id)}"


def unsubscribe_url(token: str) -> str:
    """Return the public address of an unsubscribe link (its page takes the one-click POST)."""
    return public_url_for("email.unsubscribe_page", token=token)


@dataclass(frozen=True)
class UnsubscribeLink:
    """What an unsubscribe token names: the update, the action and the address (its key)."""

    update_id: int | None  # None: not through an update email
    action_id: int
    address_key: str
    # The link of an organiser's test send: it names no address and unsubscribes nobody.
    test: bool = False


def read_unsubscribe_token(secret: str, token: str) -> UnsubscribeLink | None:
    """Return what a token names, or None for a forged token or a supporter since erased."""
    parts = token.split(".")
    if len(parts) != 3 or not all(p.isdigit() and len(p) < 19 for p in parts[:2]):
        return None
    update_id, submission_id = int(parts[0]), int(parts[1])
    if not hmac.compare_digest(parts[2], _mac(secret, update_id, submission_id)):
        return None
    if submission_id == TEST_SUBMISSION:
        action_id = db.session.scalar(
            select(ActionUpdate.action_id).where(ActionUpdate.id == update_id)
        )
        return None if action_id is None else UnsubscribeLink(update_id, action_id, "", test=True)
    row = db.session.execute(
        select(Submission.action_id, Submission.email).where(Submission.id == submission_id)
    ).first()
    if row is None or not row.email:
        return None
    return UnsubscribeLink(update_id, row.action_id, sender_key(row.email))


def unsubscribe(link: UnsubscribeLink, everything: bool, now: datetime) -> None:
    """Record that the address wants no more updates (this action's, or all); idempotent.

    A test send's link records nothing: it names no address.
    """
    if link.test:
        return
    insert_ = insert_with_conflicts()
    stmt = insert_(Unsubscription).values(
        address_key=link.address_key,
        scope=ALL if everything else action_scope(link.action_id),
        action_id=None if everything else link.action_id,
        update_id=link.update_id,
        created_at=now,
    )
    db.session.execute(stmt.on_conflict_do_nothing(index_elements=["address_key", "scope"]))


@dataclass(frozen=True)
class Recipient:
    """One address an update goes to, with the submission it belongs to and its language."""

    submission_id: int
    email: str
    language: str


def update_recipients(action: Action) -> list[Recipient]:
    """Return one recipient per opted-in, not purged, not unsubscribed address (by newest)."""
    newest = (
        select(func.max(Submission.id))
        .where(
            Submission.action_id == action.id,
            Submission.consent_updates.is_(True),
            Submission.personal_data_removed_at.is_(None),
            Submission.email.isnot(None),
            Submission.email != "",
        )
        .group_by(Submission.email)
    )
    rows = db.session.execute(
        select(Submission.id, Submission.email, Submission.language)
        .where(Submission.id.in_(newest))
        .order_by(Submission.id)
    ).all()
    gone = unsubscribed_keys(action.id)
    bounced = bounced_addresses()
    return [
        Recipient(row.id, row.email, row.language)
        for row in rows
        if sender_key(row.email) not in gone and not is_bounced(row.email, bounced)
    ]


def unsubscribed_keys(action_id: int) -> set[str]:
    """Return the address keys that want no more mail about this action (it, or all)."""
    return set(
        db.session.scalars(
            select(Unsubscription.address_key).where(
                Unsubscription.scope.in_([ALL, action_scope(action_id)])
            )
        )
    )


@dataclass(frozen=True)
class UpdateEmail:
    """An update email in one language: its subject, and its text before the personal link."""

    language: str
    subject: str
    body: str


def update_email(
    action: Action, update: ActionUpdate, language: str, settings: MailSettings, unsubscribe: str
) -> UpdateEmail:
    """Return the email for one language (texts fall back to the action's own language)."""
    texts = case_texts(action, language)
    shown = next(u for u in texts.updates if u.id == update.id)
    title = shown.title.text or update.title
    follow_up = invitation(update, action, language)
    with force_locale(language):
        body = render_template(
            "emails/update.txt",
            title=title,
            body=shown.body.text,
            # Said as on the action page when the update is not written in this language.
            fallback=shown.body if shown.body.fallback else None,
            language=language,
            action_title=texts.title.text or action.title,
            action_url=public_url_for("public.action_page", slug=action.slug),
            unsubscribe_url=unsubscribe,
            organisation=settings.organisation_name,
            follow_up_title=follow_up.title.text if follow_up else "",
            follow_up_url=(
                public_url_for("public.action_page", slug=follow_up.slug) if follow_up else ""
            ),
        ).strip()
    return UpdateEmail(language, header_text(title), body + "\n")


@dataclass(frozen=True)
class PreparedUpdate:
    """An update ready to queue: its email per language, and one small row per recipient."""

    update_id: int
    action_id: int
    # language -> (headers with the To and link markers, text with the link marker)
    templates: dict[str, tuple[list[list[str]], str]]
    # (submission id, language, address, Message-ID, unsubscribe link)
    rows: list[tuple[int, str, str, str, str]]


def was_sent(update_id: int) -> bool:
    """Tell whether an update has already been emailed."""
    return (
        db.session.scalar(select(UpdateSend.id).where(UpdateSend.update_id == update_id))
        is not None
    )


def update_headers(
    settings: MailSettings, action: Action, address: str, email: UpdateEmail, unsubscribe: str
) -> list[list[str]]:
    """Return an update email's headers: the list's id and RFC 8058 one-click unsubscribe."""
    return [
        ["From", settings.sender],
        ["To", address],
        ["Subject", email.subject],
        ["Content-Language", email.language],
        ["List-Id", f"<{action.slug}.updates.{settings.message_id_domain}>"],
        ["List-Unsubscribe", f"<{unsubscribe}>"],
        ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"],
    ]


def queue_test(
    action: Action,
    update: ActionUpdate,
    language: str,
    to: str,
    settings: MailSettings,
    secret: str,
    now: datetime,
) -> None:
    """Queue the update as one supporter in `language` would get it, to the organiser only.

    Its subject says it is a test (in that language), and its unsubscribe link names no
    supporter: following it shows a page that says so and changes nothing.
    """
    url = unsubscribe_url(unsubscribe_token(secret, update.id, TEST_SUBMISSION))
    email = update_email(action, update, language, settings, url)
    with force_locale(language):
        subject = header_text(_("[Test] %(subject)s", subject=email.subject))
    email = UpdateEmail(email.language, subject, email.body)
    address = ascii_address(to)
    queue_message(
        kind=MessageKind.UPDATE,
        action_id=action.id,
        dedupe_key=f"update-test:{update.id}:{language}:{now.timestamp()}:{address}"[:80],
        sender=settings.from_address,
        recipient=address,
        message_id=make_message_id(settings.message_id_domain, "update-test"),
        headers=update_headers(settings, action, address, email, url),
        body_text=email.body,
        now=now,
        language=language,
        link_prefix=settings.public_url,
    )  # fmt: skip


def prepare_update(
    action: Action, update: ActionUpdate, settings: MailSettings, secret: str
) -> PreparedUpdate:
    """Build the update's email once per language, and each recipient's row (reads only).

    The worker fills each recipient's address and link into their language's email when it
    sends (email.outbox.expand_template): queuing writes small rows only, whatever the
    number. Unsendable addresses are left out.
    """
    templates: dict[str, tuple[list[list[str]], str]] = {}
    rows = []
    domain = settings.message_id_domain
    # Built from the route once; each recipient's token (URL-safe, never quoted) goes in its place.
    link_template = unsubscribe_url(TOKEN_MARK)
    for recipient in update_recipients(action):
        language = recipient.language
        if language not in templates:
            email = update_email(action, update, language, settings, LINK_MARK)
            templates[language] = (update_headers(settings, action, TO_MARK, email, LINK_MARK),
                                   email.body)  # fmt: skip
        try:
            address = stored_address(recipient.email)
        except HeaderInjectionError:
            continue
        token = unsubscribe_token(secret, update.id, recipient.submission_id)
        link = link_template.replace(TOKEN_MARK, token)
        rows.append((recipient.submission_id, language, address,
                     make_message_id(domain, "update"), link))  # fmt: skip
    return PreparedUpdate(update.id, action.id, templates, rows)


def queue_update(prepared: PreparedUpdate, settings: MailSettings, now: datetime) -> int | None:
    """Queue prepared messages in batched inserts; return how many, or None if already sent.

    The send is recorded first (unique per update): a second post, even a concurrent one,
    queues nothing.
    """
    insert_ = insert_with_conflicts()
    sent = db.session.execute(
        insert_(UpdateSend)
        .values(update_id=prepared.update_id, action_id=prepared.action_id,
                recipients=len(prepared.rows), queued_at=now)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(UpdateSend.id)
    ).scalar()  # fmt: skip
    if sent is None:
        return None
    template_ids = {
        language: add_template(headers, body, language, settings.public_url, now)
        for language, (headers, body) in prepared.templates.items()
    }
    values = (
        {
            "kind": MessageKind.UPDATE.value,
            "action_id": prepared.action_id,
            "submission_id": submission_id,
            "dedupe_key": f"update:{prepared.update_id}:{submission_id}",
            "sender": settings.from_address,
            "recipient": address,
            "message_id": message_id,
            "template_id": template_ids[language],
            "link": link,
            "status": MessageStatus.QUEUED.value,
            "attempts": 0,
            "next_attempt_at": now,
            "last_error": "",
            "created_at": now,
            "bounced": False,
        }
        for submission_id, language, address, message_id, link in prepared.rows
    )
    if is_sqlite():
        rows = list(values)
        for start in range(0, len(rows), BATCH):
            db.session.execute(insert(OutboxMessage), rows[start : start + BATCH])
    else:
        copy_rows(OutboxMessage.__table__.name, values)
    return len(prepared.rows)
