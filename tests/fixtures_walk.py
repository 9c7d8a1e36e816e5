"""Walk every route of the app: a world with one of everything, and the walk itself."""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass, field

import pytest
from PIL import Image
from sqlalchemy import select

from actionapp.email.updates import unsubscribe_token
from actionapp.extensions import db
from actionapp.models import (
    ActionUpdate,
    Channel,
    EventReport,
    MessageKind,
    OutboxMessage,
    SolidarityMessage,
    Submission,
    utcnow,
)
from actionapp.printing.posted_codes import posted_code
from actionapp.replies.reports import reply_token
from tests.conftest import compose_data, started_stamp
from tests.fixtures_organise import sign_in

# POSTs that change what later requests see: walked last, in this order.
LAST = (
    "organise.privacy_erase",
    "organise.delete_letter",
    "organise.delete_target",
    "organise.delete_update",
    "organise.remove_image",
    "organise.close",
    "organise.publish",
    "organise.delete",
    "auth.sign_out",
)
# Routes the walk cannot reach, with the reason. Empty: every route is walked.
EXCLUDED: dict[str, str] = {}


@dataclass
class Visit:
    """One request of the walk and what came back."""

    method: str
    url: str
    endpoint: str
    status: int
    mimetype: str
    body: bytes = field(repr=False)

    @property
    def is_page(self) -> bool:
        """Tell whether the answer is a whole HTML page (not a redirect or a fragment)."""
        if 300 <= self.status < 400:
            return False
        return self.mimetype == "text/html" and self.body[:15].lower() == b"<!doctype html>"


@dataclass
class World:
    """One of everything the routes take: an action, a submission per channel, a report..."""

    slug: str
    values: dict[str, object]
    # Tokens per endpoint that takes one: the thank-you page of each channel, and so on.
    tokens: dict[str, list[str]]
    admin_email: str
    compose: dict
    report: dict
    pack_query: str
    solidarity: dict = field(default_factory=dict)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


SOLIDARITY_SETTINGS = {
    "is_open": "y",
    "recipient": "person",
    "recipient_name": "Xueqin",
    "languages": ["en", "zh"],
    "delivery": "printed",
    "max_chars": "400",
    "no_organisation": "y",
    "no_surnames": "y",
    "no_places": "y",
    "show_on_page": "y",
}


def solidarity_data(app) -> dict:
    """Return a complete solidarity message post."""
    return {
        "body": "Keep strong. We are thinking of you.",
        "language": "en",
        "sign_as": "first_name_country",
        "first_name": "Ana",
        "country": "PT",
        "client_key": uuid.uuid4().hex,
        "started": started_stamp(app),
        "website": "",
    }


def report_data(app, action) -> dict:
    """Return a complete event report for an action."""
    data = {
        "held_on": utcnow().date().isoformat(),
        "city": "Leeds",
        "country": "GB",
        "host_name": "Ann Host",
        "host_contact": "ann@example.org",
        "consent": "y",
        "started": started_stamp(app),
        "website": "",
    }
    for target in action.targets:
        data[f"letters_{target.id}"] = "3"
    return data


@pytest.fixture
def walk_world(app, demo_action, make_organiser, uploads) -> World:
    """Seed one of everything, through the app's own forms where it has them."""
    slug = demo_action.slug
    admin = make_organiser("admin", email="walk-admin@example.org")
    visitor = app.test_client()
    tokens: dict[str, str] = {}
    for channel in ("print", "mailto", "email"):
        data = compose_data(
            demo_action,
            channel=channel,
            email=f"walk-{channel}@example.org",
            started=started_stamp(app),
        )
        response = visitor.post(f"/actions/{slug}/write", data=data)
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        submission = db.session.scalars(
            select(Submission).where(Submission.channel == Channel(channel))
        ).one()
        tokens[channel] = submission.public_token
        if channel == "print":
            # The short code printed on the guide page (/p/<code>).
            code = posted_code(app.config["SECRET_KEY"], submission.id, submission.public_token)
    confirmation = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == MessageKind.CONFIRMATION)
    ).one()
    confirm_token = re.search(r"/confirm/([A-Za-z0-9_-]+)", confirmation.content.body_text)[1]
    report = report_data(app, demo_action)
    assert visitor.post(f"/actions/{slug}/event/report", data=report).status_code == 303
    report_id = db.session.scalars(select(EventReport.id)).one()

    organiser = app.test_client()
    assert sign_in(organiser, admin.email).status_code == 303
    action_id = demo_action.id
    posted = organiser.post(
        f"/organise/actions/{action_id}/updates/new", data={"title": "News", "body": "Moved."}
    )
    assert posted.status_code == 303, posted.get_data(as_text=True)[:2000]
    update_id = db.session.scalars(select(ActionUpdate.id)).one()
    emailed = db.session.scalars(select(Submission).where(Submission.channel == "email")).one()
    unsubscribe = unsubscribe_token(app.config["SECRET_KEY"], update_id, emailed.id)
    reply = reply_token(app.config["SECRET_KEY"], emailed.id)
    posted = organiser.post(
        f"/organise/actions/{action_id}/image",
        data={"image": (io.BytesIO(_png()), "photo.png"), "image_alt": "A photo"},
    )
    assert posted.status_code == 303, posted.get_data(as_text=True)[:2000]
    posted = organiser.post(f"/organise/actions/{action_id}/solidarity", data=SOLIDARITY_SETTINGS)
    assert posted.status_code == 303, posted.get_data(as_text=True)[:2000]
    solidarity = solidarity_data(app)
    posted = visitor.post(f"/actions/{slug}/thanks/{tokens['print']}/solidarity", data=solidarity)
    assert posted.status_code == 303, posted.get_data(as_text=True)[:2000]
    message_id = db.session.scalars(select(SolidarityMessage.id)).one()
    db.session.expire_all()
    image_name = demo_action.image.removeprefix("uploads/")
    primary = [t.id for t in demo_action.targets if t.kind == "primary"]
    return World(
        slug=slug,
        values={
            "slug": slug,
            "action_id": action_id,
            "letter_id": demo_action.model_letters[0].id,
            "target_id": demo_action.targets[-1].id,
            "update_id": update_id,
            "report_id": report_id,
            "organiser_id": admin.id,
            "name": image_name,
            "filename": "css/app.css",
            # The case's texts in a language other than its own.
            "language": "zh",
            "code": code,
            "message_id": message_id,
        },
        tokens={
            "public.thanks": [tokens["print"], tokens["mailto"], tokens["email"]],
            "print.letters_download": [tokens["print"]],
            "print.envelopes_download": [tokens["print"]],
            "print.posted_page": [tokens["print"]],
            "print.posted": [tokens["print"]],
            "email.mailto_sent": [tokens["mailto"]],
            "email.confirm_page": [confirm_token],
            "email.confirm": [confirm_token],
            "email.unsubscribe_page": [unsubscribe],
            "email.unsubscribe_post": [unsubscribe],
            "email.reply_page": [reply],
            "email.reply_post": [reply],
            "email.thanks_reply": [tokens["print"]],
            "public.solidarity": [tokens["print"]],
        },
        admin_email=admin.email,
        compose=compose_data(demo_action, channel="print", started=started_stamp(app)),
        report=report,
        solidarity=solidarity,
        pack_query="language=zh&variant=release&paper=a4&copies=2&"
        + "&".join(f"targets={t}" for t in primary),
    )


def _urls(app, world: World, rule, language: str) -> list[str]:
    """Return the URLs to request for a rule, its parameters filled from the world."""
    values = {arg: world.values.get(arg) for arg in rule.arguments if arg != "token"}
    if rule.endpoint == "public.set_language":
        values["code"] = language
    tokens = world.tokens.get(rule.endpoint, [None]) if "token" in rule.arguments else [None]
    urls = []
    with app.test_request_context():
        from flask import url_for

        for token in tokens:
            extra = {"token": token} if token else {}
            urls.append(url_for(rule.endpoint, **values, **extra))
    if rule.endpoint == "print.event_pack":
        urls.append(f"{urls[0]}?{world.pack_query}")
    if rule.endpoint == "public.set_language":
        urls = [f"{url}?next=/" for url in urls]
    return urls


def _post_data(world: World, endpoint: str) -> dict:
    if endpoint in ("public.compose", "public.live_preview"):
        return dict(world.compose)
    if endpoint == "print.event_report":
        return dict(world.report)
    if endpoint in ("public.solidarity", "public.solidarity_check"):
        return dict(world.solidarity, client_key=uuid.uuid4().hex)
    if endpoint == "organise.solidarity_settings":
        return dict(SOLIDARITY_SETTINGS)
    if endpoint == "organise.review_solidarity":
        return {"decision": "approve", "ids": [str(world.values["message_id"])]}
    if endpoint == "auth.sign_in":
        from tests.fixtures_organise import PASSWORD

        return {"email": world.admin_email, "password": PASSWORD}
    return {
        "organise.review_event": {"decision": "approve"},
        "email.reply_post": {"answer": "post", "note": "A reply came."},
        "email.thanks_reply": {"answer": "no"},
        "organise.update_email_test": {"language": "zh"},
        "organise.new_organiser": {
            "email": "walk-new@example.org",
            "role": "viewer",
            "password": "a long enough password",
            "password_again": "a long enough password",
        },
        "organise.privacy_lookup": {"lookup-email": "walk-print@example.org"},
        "organise.privacy_export": {"lookup-email": "walk-print@example.org"},
        "organise.privacy_erase": {"erase-email": "walk-print@example.org", "erase-confirm": "y"},
    }.get(endpoint, {})


def walk(app, client, world: World, language: str, methods=("GET", "POST")) -> list[Visit]:
    """Request every route (GETs first, then POSTs, the state-changing ones last)."""
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
    plan: list[tuple[str, str, str]] = []
    for method in methods:
        chosen = [r for r in rules if method in r.methods and r.endpoint not in EXCLUDED]
        if method == "POST":
            chosen.sort(key=lambda r: LAST.index(r.endpoint) if r.endpoint in LAST else -1)
        for rule in chosen:
            plan += [(method, url, rule.endpoint) for url in _urls(app, world, rule, language)]
    plan.append(("GET", "/no-such-page", "404"))
    plan += [  # the 405 page: a GET where only POST is allowed
        ("GET", url, "405")
        for rule in rules
        if rule.endpoint == "organise.publish"
        for url in _urls(app, world, rule, language)
    ]
    visits = []
    for method, url, endpoint in plan:
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data=_post_data(world, endpoint))
        visits.append(
            Visit(method, url, endpoint, response.status_code, response.mimetype, response.data)
        )
        response.close()  # files sent with send_file stay open until then
    return visits


def walking_client(
    app, world: World, language: str, how: str, header: str = "", signed_in: bool = True
):
    """Return a client (signed in as admin) that asks for a language by header or by cookie."""
    client = app.test_client()
    if how == "cookie":
        from actionapp.web.i18n import LANGUAGE_COOKIE

        client.set_cookie(LANGUAGE_COOKIE, language)
        # The cookie must win over a browser asking for the other language.
        header = "zh-CN,zh;q=0.9" if language == "en" else "en-GB,en;q=0.9"
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = header or language
    if signed_in:
        assert sign_in(client, world.admin_email).status_code == 303
    return client


def every_endpoint(app) -> set[str]:
    """Return every endpoint of the app, less the documented exclusions."""
    return {rule.endpoint for rule in app.url_map.iter_rules()} - set(EXCLUDED)
