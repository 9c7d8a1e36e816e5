"""The statistics page and the dashboard: exact figures, charts as SVG images, tables beneath."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest

from actionapp.extensions import db
from actionapp.letters.record import move_letters
from actionapp.models import Channel, LetterStatus, utcnow
from tests.builders import make_chinese_case
from tests.fixtures_organise import add_letters


@pytest.fixture
def action(app):
    """Two targets in China with email addresses; UK and German embassy copies."""
    built = make_chinese_case(embassies=("GB", "DE"))
    db.session.commit()
    return built


def _svgs(page: str) -> list[str]:
    return [
        base64.b64decode(data).decode()
        for data in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    ]


def test_statistics_page_shows_the_public_figures_with_tables(signed_in, action, client):
    now = utcnow()
    add_letters(action, Channel.PRINT, "GB", "p1", now - timedelta(days=2))
    mail = add_letters(action, Channel.EMAIL, "DE", "mail1", now)
    move_letters(mail, mail.letters[:1], LetterStatus.CONFIRMED, now)
    from actionapp.extensions import db

    db.session.commit()
    api = client.get(f"/api/v1/actions/{action.slug}").get_json()["counts"]
    page = signed_in("viewer").get(f"/organise/actions/{action.id}/statistics")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    total = re.search(r'<dd id="total-letters">([^<]+)</dd>', text).group(1)
    assert int(total.replace(",", "")) == api["letters"] == 4
    assert "the totals equal the public counter" in text
    statuses = dict(re.findall(r'data-key="([^"]+)">.*?<td class="num">([^<]+)</td>', text))
    assert statuses["email:confirmed"] == "1" and statuses["email:awaiting_confirmation"] == "2"
    assert statuses["print:printed"] == "3"
    svgs = _svgs(text)
    assert len(svgs) == 7
    assert all(svg.startswith("<svg") and "<script" not in svg for svg in svgs)
    # pygal's own stylesheet travels inside each image (without it every shape is black).
    assert all("<style" in svg and ".reactive" in svg for svg in svgs)
    # Letters are whole: no axis says "0.2" (pygal's own ticks would, for small counts).
    assert not [tick for svg in svgs for tick in re.findall(r">(\d+\.\d+)</text>", svg)]
    assert text.count("<table") >= 8  # every chart has its numbers in a table


def test_statistics_date_range_and_bad_ranges(signed_in, action):
    now = utcnow()
    add_letters(action, Channel.PRINT, "GB", "old", now - timedelta(days=5))
    add_letters(action, Channel.PRINT, "GB", "new", now)
    client = signed_in("viewer")
    url = f"/organise/actions/{action.id}/statistics"
    today = now.date().isoformat()
    text = client.get(f"{url}?start={today}&end={today}").get_data(as_text=True)
    assert re.search(r'<dd id="total-letters">3</dd>', text)
    assert "the totals equal the public counter" not in text
    backwards = client.get(f"{url}?start={today}&end=2001-01-01").get_data(as_text=True)
    assert "The start date is after the end date" in backwards
    assert re.search(r'<dd id="total-letters">6</dd>', backwards)
    nonsense = client.get(f"{url}?start=yesterday")
    assert nonsense.status_code == 200


def test_dashboard_lists_every_action_with_sparkline(signed_in, action):
    add_letters(action, Channel.PRINT, "GB", "p1")
    text = signed_in("viewer").get("/organise/").get_data(as_text=True)
    assert action.title in text
    assert 'class="sparkline"' in text and "Letters per day over the last 30 days: 3 in all" in text
    assert "New action" not in text  # a viewer cannot create actions
    editor_page = signed_in("editor").get("/organise/").get_data(as_text=True)
    assert "New action" in editor_page and "Personal data requests" not in editor_page
