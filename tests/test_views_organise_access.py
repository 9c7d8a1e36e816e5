"""Every organiser route as anonymous, viewer, editor and admin; sign-in, sessions, CSRF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import session

from actionapp import create_app
from actionapp.events.reports import NewEventReport, record_event_report
from actionapp.extensions import db
from actionapp.models import ActionUpdate, Organiser, SignInThrottle, UpdateText, utcnow
from tests.conftest import csrf_token_from
from tests.fixtures_organise import PASSWORD, sign_in

# The least role each organiser endpoint needs. A new route must be added here to be walked.
NEEDS = {
    "organise.dashboard": "viewer",
    "organise.action_overview": "viewer",
    "organise.statistics": "viewer",
    "organise.export_letters": "viewer",
    "organise.export_daily": "viewer",
    "organise.osdi_campaigns": "viewer",
    "organise.osdi_campaign_detail": "viewer",
    "organise.osdi_outreaches": "viewer",
    "organise.new_action": "editor",
    "organise.edit_action": "editor",
    "organise.publish": "editor",
    "organise.close": "editor",
    "organise.delete": "editor",
    "organise.action_image": "editor",
    "organise.remove_image": "editor",
    "organise.new_target": "editor",
    "organise.edit_target": "editor",
    "organise.delete_target": "editor",
    "organise.import_embassies": "editor",
    "organise.new_letter": "editor",
    "organise.edit_letter": "editor",
    "organise.letter_preview": "editor",
    "organise.letter_preview_pdf": "editor",
    "organise.delete_letter": "editor",
    "organise.new_update": "editor",
    "organise.delete_update": "editor",
    "organise.action_texts": "editor",
    "organise.update_texts": "editor",
    "organise.update_email_confirm": "editor",
    "organise.update_email_send": "editor",
    "organise.update_email_test": "editor",
    "organise.replies": "viewer",
    "organise.consent": "admin",
    "organise.export_letters_personal": "admin",
    "organise.privacy": "admin",
    "organise.privacy_lookup": "admin",
    "organise.privacy_export": "admin",
    "organise.privacy_erase": "admin",
    "organise.organisers": "admin",
    "organise.new_organiser": "admin",
    "organise.organiser_access": "admin",
    "organise.export_log": "admin",
    "organise.event_reports_page": "editor",
    "organise.review_event": "editor",
    "organise.solidarity_settings": "editor",
    "organise.solidarity_messages": "editor",
    "organise.review_solidarity": "editor",
    "organise.solidarity_cards": "editor",
    "organise.coaching_words": "editor",
    "organise.osdi_solidarity": "viewer",
}
ROLES = ("viewer", "editor", "admin")


def _organiser_rules():
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/organise")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    )


ORGANISER_ROUTES = _organiser_rules()


def test_every_organiser_route_has_an_expected_role():
    endpoints = {endpoint for endpoint, _method in ORGANISER_ROUTES}
    assert endpoints == set(NEEDS), "add new organiser routes to NEEDS"
    assert all(endpoint.startswith("organise.") for endpoint in endpoints)


def _url(app, endpoint, action, viewer_id, report_id):
    from flask import url_for

    update = action.updates[0]
    values = {
        "action_id": action.id,
        "target_id": action.targets[0].id,
        "letter_id": action.model_letters[0].id,
        "update_id": update.id,
        "organiser_id": viewer_id,
        "report_id": report_id,
        "language": "zh",
    }
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        return url_for(endpoint, **{k: v for k, v in values.items() if k in rule.arguments})


def _event_report(action):
    report = record_event_report(
        action,
        NewEventReport(
            held_on=utcnow().date(),
            city="Leeds",
            host_name="Sam",
            host_contact="sam@example.org",
            letters_by_target={action.targets[0].id: 3},
        ),
        utcnow(),
    )
    db.session.commit()
    return report


@pytest.mark.parametrize(("endpoint", "method"), ORGANISER_ROUTES)
def test_every_route_answers_by_role(app, endpoint, method, action, signed_in, uploads):
    action.updates.append(ActionUpdate(texts=[UpdateText(language="en", title="News", body="x")]))
    db.session.commit()
    clients = {role: signed_in(role) for role in ROLES}
    viewer_id = db.session.scalar(db.select(Organiser.id).where(Organiser.role == "viewer"))
    # An event report counts letters, which would stop an editor deleting the action: only the
    # event review routes get one.
    report_id = 0
    if "event" in endpoint:
        report_id = _event_report(action).id
    url = _url(app, endpoint, action, viewer_id, report_id)
    anonymous = app.test_client().open(url, method=method)
    assert anonymous.status_code == 302, (url, method, anonymous.status_code)
    assert anonymous.headers["Location"].startswith("/auth/sign-in?next=")
    needed = ROLES.index(NEEDS[endpoint])
    for rank, role in enumerate(ROLES):
        response = clients[role].open(url, method=method)
        response.get_data()  # a streamed export runs to its end
        if rank < needed:
            assert response.status_code == 403, (url, method, role, response.status_code)
        else:
            assert response.status_code < 500, (url, method, role)
            assert response.status_code not in (401, 403), (url, method, role)
            assert "/auth/sign-in" not in response.headers.get("Location", "")
        assert response.headers["Cache-Control"] == "no-store"


def test_sign_in_redirects_back_and_sign_out_ends_the_session(app, make_organiser, action):
    organiser = make_organiser("editor")
    client = app.test_client()
    wanted = f"/organise/actions/{action.id}/statistics"
    first = client.get(wanted)
    assert (
        first.headers["Location"]
        == f"/auth/sign-in?next=%2Forganise%2Factions%2F{action.id}%2Fstatistics"
    )
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Please sign in to see this page." in page
    response = client.post(
        "/auth/sign-in",
        data={"email": organiser.email.upper(), "password": PASSWORD, "next": wanted},
    )
    assert response.status_code == 303 and response.headers["Location"] == wanted
    assert client.get(wanted).status_code == 200
    out = client.post("/auth/sign-out")
    assert out.headers["Location"] == "/auth/sign-in"
    assert client.get(wanted).status_code == 302


def test_sign_in_never_redirects_to_another_site(app, make_organiser):
    organiser = make_organiser("viewer")
    response = app.test_client().post(
        "/auth/sign-in",
        data={"email": organiser.email, "password": PASSWORD, "next": "//evil.example/"},
    )
    assert response.headers["Location"] == "/organise/"


def test_wrong_password_is_refused_without_saying_which_part(app, make_organiser):
    organiser = make_organiser("viewer")
    client = app.test_client()
    for email in (organiser.email, "nobody@example.org"):
        page = sign_in(client, email, "wrong password!").get_data(as_text=True)
        assert "The email address or the password is not right." in page
    assert client.get("/organise/").status_code == 302
    db.session.refresh(organiser)
    assert organiser.failed_sign_ins == 1 and organiser.last_failed_sign_in_at is not None


def test_account_locks_after_five_failures_even_with_the_right_password(app, make_organiser):
    organiser = make_organiser("admin")
    client = app.test_client()
    for _ in range(4):
        assert sign_in(client, organiser.email, "nope nope nope").status_code == 200
    locked = sign_in(client, organiser.email, "nope nope nope")
    assert locked.status_code == 429
    text = locked.get_data(as_text=True)
    assert "Too many failed sign-ins for this account" in text and "UTC" in text
    # From another address too, and with the right password: the account is paused.
    other = app.test_client()
    again = other.post(
        "/auth/sign-in",
        data={"email": organiser.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert again.status_code == 429
    # Once the lock has passed, the right password works.
    throttle = db.session.get(SignInThrottle, f"account:{organiser.email}")
    throttle.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert sign_in(other, organiser.email).status_code == 303


def test_one_address_trying_many_accounts_is_paused(app, make_organiser):
    make_organiser("viewer")
    app.config["SIGNIN_ADDRESS_MAX_FAILURES"] = 6
    client = app.test_client()
    for n in range(5):
        assert sign_in(client, f"guess{n}@example.org", "x" * 12).status_code == 200
    paused = sign_in(client, "guess9@example.org", "x" * 12)
    assert paused.status_code == 429
    assert "from your network address" in paused.get_data(as_text=True)
    # A different address is not affected.
    elsewhere = app.test_client().post(
        "/auth/sign-in",
        data={"email": "viewer@example.org", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert elsewhere.status_code == 303


def test_sessions_expire_after_idle_time_and_absolute_time(app, signed_in):
    client = signed_in("viewer")
    assert client.get("/organise/").status_code == 200
    with client.session_transaction() as sess:
        sess["seen_at"] -= app.config["ORGANISER_IDLE_MINUTES"] * 60 + 5
    expired = client.get("/organise/")
    assert expired.headers["Location"].startswith("/auth/sign-in")
    assert "Your session has expired" in client.get(expired.headers["Location"]).get_data(
        as_text=True
    )
    client = signed_in("viewer")
    with client.session_transaction() as sess:
        sess["signed_in_at"] -= app.config["ORGANISER_SESSION_HOURS"] * 3600 + 5
    assert client.get("/organise/").status_code == 302


def test_session_cookie_is_permanent_with_a_lifetime(app, make_organiser):
    organiser = make_organiser("viewer")
    client = app.test_client()
    response = sign_in(client, organiser.email)
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with client.session_transaction() as sess:
        assert sess.permanent


def test_deactivating_or_new_password_ends_sessions(app, signed_in, make_organiser):
    from actionapp.organisers.accounts import set_access, set_password

    client = signed_in("editor")
    organiser = db.session.scalar(db.select(Organiser).where(Organiser.role == "editor"))
    set_password(organiser, "another long password")
    db.session.commit()
    assert client.get("/organise/").status_code == 302
    client = app.test_client()
    sign_in(client, organiser.email, "another long password")
    assert client.get("/organise/").status_code == 200
    set_access(organiser, organiser.role, active=False)
    db.session.commit()
    assert client.get("/organise/").status_code == 302
    assert sign_in(app.test_client(), organiser.email, "another long password").status_code == 200


def test_csrf_is_required_on_organiser_forms(make_app, action, cheap_hashing):
    from actionapp.organisers.accounts import create_organiser

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_organiser("csrf@example.org", PASSWORD, "editor", utcnow())
        db.session.commit()
    client = app.test_client()
    assert sign_in(client, "csrf@example.org").status_code == 400
    page = client.get("/auth/sign-in").get_data(as_text=True)
    response = client.post(
        "/auth/sign-in",
        data={
            "email": "csrf@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_token_from(page),
        },
    )
    assert response.status_code == 303
    close_url = f"/organise/actions/{action.id}/close"
    assert client.post(close_url).status_code == 400
    assert client.post("/auth/sign-out").status_code == 400
    dashboard = client.get("/organise/").get_data(as_text=True)
    token = csrf_token_from(dashboard)
    assert client.post(close_url, data={"csrf_token": token}).status_code == 303
    assert client.post("/auth/sign-out", data={"csrf_token": token}).status_code == 303
    assert client.get("/organise/").status_code == 302


def test_passwords_are_hashed_with_argon2_defaults(app):
    from actionapp.organisers.accounts import create_organiser, password_hasher

    organiser = create_organiser("hash@example.org", PASSWORD, "viewer", utcnow())
    assert organiser.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in organiser.password_hash
    assert password_hasher().verify(organiser.password_hash, PASSWORD)


def test_organiser_pages_load_nothing_from_another_host(signed_in, action):
    import re

    client = signed_in("admin")
    letter = action.model_letters[0]
    paths = (
        "/organise/",
        f"/organise/actions/{action.id}/statistics",
        f"/organise/actions/{action.id}/letters/{letter.id}/edit",
    )
    for path in paths:
        page = client.get(path).get_data(as_text=True)
        for url in re.findall(r'\bsrc="([^"]*)"', page) + re.findall(
            r'<link[^>]*href="([^"]*)"', page
        ):
            assert url.startswith(("/", "data:image/svg+xml;base64,")) and not url.startswith("//")
        assert "<script>" not in page and " style=" not in page


def test_login_id_keeps_no_secret_in_the_session(app, signed_in):
    client = signed_in("viewer")
    with client.session_transaction() as sess:
        assert ":" in sess["_user_id"]
        assert "password" not in str(dict(sess))
    assert session is not None


def test_the_last_active_admin_cannot_demote_themselves(app, signed_in):
    client = signed_in("admin")
    admin = db.session.scalar(db.select(Organiser).where(Organiser.role == "admin"))
    response = client.post(
        f"/organise/organisers/{admin.id}/access",
        data={f"o{admin.id}-role": "viewer"},
        follow_redirects=True,
    )
    assert "This is the last active administrator" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role == "admin" and admin.active
    client.get("/language/zh")
    page = client.post(
        f"/organise/organisers/{admin.id}/access",
        data={f"o{admin.id}-role": "viewer"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "last active administrator" not in page  # said in Chinese
