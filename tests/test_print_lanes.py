"""A supporter's letters do not wait behind event packs; packs are limited by their size."""

from __future__ import annotations

from actionapp.models import TargetKind
from actionapp.services.pdf import PrintSettings
from actionapp.services.pdf.engine import engine_for


def _token(response) -> str:
    return response.headers["Location"].rsplit("/", 1)[1]


def _pack_url(action, copies: int) -> str:
    targets = [t.id for t in action.targets if t.kind == TargetKind.PRIMARY]
    query = "&".join(f"targets={t}" for t in targets)
    return (
        f"/actions/{action.slug}/event/pack.pdf?language=en&variant=release&paper=a4"
        f"&copies={copies}&{query}"
    )


def test_letters_render_while_the_pack_lane_is_busy(make_app, demo_action, post_letter):
    app = make_app(PDF_RENDER_TIMEOUT=1)
    token = _token(post_letter(demo_action, channel="print"))
    assets = PrintSettings.from_config(app.config, app.static_folder).assets_dir
    for lane in ("letters", "packs"):
        engine_for(assets, lane).cache.clear()
    client = app.test_client()
    # Stand in for long packs rendering: hold the pack lane's render lock (the real lock).
    packs = engine_for(assets, "packs")
    assert packs is not engine_for(assets, "letters")
    assert packs._lock.acquire(timeout=5)
    try:
        letters = client.get(f"/actions/{demo_action.slug}/print/{token}/letters.pdf")
        assert letters.status_code == 200 and letters.mimetype == "application/pdf"
        # A pack waits for its lane, up to the render limit, and then says so.
        pack = client.get(_pack_url(demo_action, 1))
        assert pack.status_code == 503
    finally:
        packs._lock.release()
    assert client.get(_pack_url(demo_action, 1)).status_code == 200


def test_event_packs_are_limited_by_letters_per_address_not_requests(make_app, demo_action):
    app = make_app(RATELIMIT_ENABLED=True, PACK_PAGES_RATE_LIMIT="10 per minute")
    client = app.test_client()
    primary = len([t for t in demo_action.targets if t.kind == TargetKind.PRIMARY])
    assert primary == 2
    assert client.get(_pack_url(demo_action, 1)).status_code == 200  # 2 letters
    assert client.get(_pack_url(demo_action, 1)).status_code == 200  # 4 letters
    assert client.get(_pack_url(demo_action, 3)).status_code == 200  # 10 letters
    # Only the fourth request of the minute, but its letters go past ten: refused.
    assert client.get(_pack_url(demo_action, 1)).status_code == 429
