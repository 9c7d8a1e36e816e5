"""Links in emails, PDFs and the CLI come from the routes, at ACTIONAPP_PUBLIC_URL (issue 13).

The public address may carry a path (the app served under https://example.org/ua): every link
keeps it, in a request on another host as well as outside any request (the outbox worker).
"""

from __future__ import annotations

import re

from actionapp.campaigns.actions import primary_targets
from actionapp.campaigns.editing import add_update
from actionapp.extensions import db
from actionapp.letters.compose import SupporterDetails
from actionapp.letters.record import NewSubmission, mark_printed
from actionapp.models import Channel, utcnow
from actionapp.printing.views import posted_short_url
from actionapp.web.links import public_url_for
from tests.builders import submit_letters
from tests.fixtures_organise import PASSWORD

PREFIXED = "https://example.org/ua"


def test_links_keep_the_public_address_and_its_path_in_and_out_of_requests(app):
    app.config["PUBLIC_URL"] = PREFIXED + "/"
    expected = f"{PREFIXED}/actions/free-them"
    assert public_url_for("public.action_page", slug="free-them") == expected
    with app.test_request_context("/", base_url="http://10.0.0.7:8000"):
        # The host the request came in on is not where a supporter reaches the site.
        assert public_url_for("public.action_page", slug="free-them") == expected
        assert public_url_for("print.posted_short", code="AB12") == posted_short_url("AB12")
    assert posted_short_url("AB12").startswith(PREFIXED + "/")
    # Extra values go into the query, quoted, as url_for does it.
    assert (
        public_url_for("email.reply_page", token="t.1", answer="no")
        == f"{PREFIXED}/r/t.1?answer=no"
    )


def test_emails_link_under_a_path_prefix_and_the_links_lead_to_their_pages(
    mail_app, client, demo_action, post_letter, smtp_server, deliver, signed_in
):
    mail_app.config["PUBLIC_URL"] = PREFIXED
    assert post_letter(demo_action, channel="email", email="ana@example.org").status_code == 303
    deliver()
    text = smtp_server.to("ana@example.org")[-1].text()
    confirm = re.search(re.escape(PREFIXED) + r"/confirm/[A-Za-z0-9_-]+", text)
    assert confirm, text
    # Served under /ua, the app sees the rest of the path: it is the confirmation page.
    page = client.get(confirm[0].removeprefix(PREFIXED))
    assert page.status_code == 200
    assert "Confirm" in page.get_data(as_text=True)

    details = SupporterDetails(
        name="Ana Example", city="Porto", country="GB", language="en", variant="release",
        personal_message="", target_ids=[t.id for t in primary_targets(demo_action)],
        seed="news",
    )  # fmt: skip
    new = NewSubmission(
        details=details, channel=Channel.PRINT, client_key="news-" + "x" * 16,
        consent_text="I agree.", email="news@example.org", consent_updates=True,
    )  # fmt: skip
    mark_printed(submit_letters(demo_action, new, utcnow()), utcnow())
    update = add_update(demo_action, "sentenced", "News", "Both were sentenced.", utcnow())
    db.session.commit()
    organiser = signed_in("editor")
    sent = organiser.post(f"/organise/actions/{demo_action.id}/updates/{update.id}/email")
    assert sent.status_code == 303
    deliver()
    received = smtp_server.to("news@example.org")[-1]
    unsubscribe = re.fullmatch(r"<(.+)>", received.message["List-Unsubscribe"])[1]
    assert unsubscribe.startswith(f"{PREFIXED}/u/")
    assert unsubscribe in received.text()
    assert f"{PREFIXED}/actions/{demo_action.slug}" in received.text()
    assert client.get(unsubscribe.removeprefix(PREFIXED)).status_code == 200


LINK = re.compile(r'(?:href|src|action)="(/[^"]*)"')


def test_served_under_a_path_prefix_every_page_link_and_redirect_stays_under_it(
    client, demo_action, make_organiser
):
    """Mounted at /ua (SCRIPT_NAME), no link, language switch or sign-in sends the visitor out."""
    ua = "http://localhost/ua"
    organiser = make_organiser("editor")
    pages = [
        "/",
        f"/actions/{demo_action.slug}",
        f"/actions/{demo_action.slug}?ref=news",
        f"/actions/{demo_action.slug}/write",
        "/auth/sign-in",
        "/no-such-page",
    ]
    for path in pages:
        page = client.get(path, base_url=ua)
        links = LINK.findall(page.get_data(as_text=True))
        assert links, path
        assert [link for link in links if not link.startswith("/ua/")] == [], path
        for switch in [link for link in links if link.startswith("/ua/language/")]:
            back = client.get(switch.removeprefix("/ua"), base_url=ua)
            assert back.status_code == 303
            # The page the visitor was on, as their browser asked for it.
            assert back.headers["Location"] == "/ua" + path, (path, switch)
    home = client.get("/language/zh", base_url=ua)
    assert home.headers["Location"] == "/ua/"

    wanted = f"/organise/actions/{demo_action.id}/statistics"
    asked = client.get(wanted, base_url=ua)
    assert asked.status_code == 302
    sign_in_page = asked.headers["Location"]
    assert sign_in_page.startswith("/ua/auth/sign-in?next=")
    form = client.get(sign_in_page.removeprefix("/ua"), base_url=ua).get_data(as_text=True)
    next_value = re.search(r'name="next"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="next"', form)
    signed = client.post(
        "/auth/sign-in",
        base_url=ua,
        data={
            "email": organiser.email,
            "password": PASSWORD,
            "next": next(filter(None, next_value.groups())),
        },
    )
    assert signed.status_code == 303
    assert signed.headers["Location"] == "/ua" + wanted
