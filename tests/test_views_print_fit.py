"""The forms refuse what cannot print: the composer's return address, the organiser's targets."""

from __future__ import annotations

import re

from tests.conftest import compose_data, started_stamp
from tests.realworld import supporters, targets

SUPPORTERS = supporters()
TARGETS = targets()


def _supporter(why_part: str) -> dict:
    return next(p for p in SUPPORTERS if why_part in p["why"])


def test_composer_refuses_an_address_that_cannot_fit_with_the_numbers(app, client, demo_action):
    person = _supporter("German sender")
    data = compose_data(
        demo_action,
        name=person["name"],
        street_address=person["street"],
        city=person["city"],
        country=person["country"],
        started=started_stamp(app),
        channel="print",
    )
    response = client.post(f"/actions/{demo_action.slug}/write", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(
        r"Your address needs \d+ lines on A4 paper, even in small type; at most \d+ fit", page
    )
    # Four short lines are welcome: the check is about the space, not the count of lines.
    ok = compose_data(
        demo_action, street_address="Flat 2\n1 High Street\nHeadingley\nLS6 1AA",
        started=started_stamp(app), channel="print",
    )  # fmt: skip
    assert client.post(f"/actions/{demo_action.slug}/write", data=ok).status_code == 303
