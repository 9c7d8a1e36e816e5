"""Follow-up actions: the chain's rules, the case so far on the page, and the invitation email."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from actionapp.campaigns.case_texts import ActionTextFields, save_action_texts, save_update_texts
from actionapp.campaigns.editing import add_update, close_action, delete_action, publish_action
from actionapp.campaigns.follow_ups import (
    CHAIN_MAX,
    FollowUpError,
    case_history,
    check_predecessor,
    invitation,
    published_follow_ups,
    set_predecessor,
)
from actionapp.email.updates import update_recipients
from actionapp.extensions import db
from actionapp.models import Action, ActionUpdate, utcnow
from tests.builders import build_action
from tests.fixtures_email import PUBLIC_URL
from tests.fixtures_organise import add_letters
from tests.test_updates_mail import supporter

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def chain(now, *slugs, publish=True):
    """Build actions that each follow the one before (committed); return them in order."""
    actions = []
    for slug in slugs:
        action = build_action(now, slug=slug, publish=publish)
        if actions:
            set_predecessor(action, actions[-1].id)
        actions.append(action)
    db.session.commit()
    return actions


def refused(action, follows_id) -> FollowUpError:
    with pytest.raises(FollowUpError) as caught:
        check_predecessor(action, follows_id)
    return caught.value


# --- the rules ---------------------------------------------------------------------------------


def test_an_action_follows_another_but_never_itself_nor_in_a_cycle(app):
    now = utcnow()
    first, second, third = chain(now, "first", "second", "third")
    assert (second.follows_id, third.follows_id) == (first.id, second.id)
    assert refused(first, first.id).code == "itself"
    cycle = refused(first, third.id)  # third follows second, which follows first
    assert cycle.code == "cycle" and cycle.values == {"title": "Free Ana"}
    assert refused(second, third.id).code == "cycle"
    assert refused(first, 999_999).code == "unknown"
    check_predecessor(None, third.id)  # a new action may follow the last one
    check_predecessor(third, None)  # and any action may stand alone

    # The history is oldest first, and an earlier action links forward to its follow-up.
    history = case_history(third, "en", now)
    assert [item.link.slug for item in history] == ["first", "second"]
    assert [link.slug for link in published_follow_ups(first, "en")] == ["second"]


def test_a_deleted_predecessor_leaves_its_follow_up_standing(app):
    now = utcnow()
    first, second, third = chain(now, "first", "second", "third")
    delete_action(first)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Action, second.id).follows_id is None  # ON DELETE SET NULL
    assert [item.link.slug for item in case_history(third, "en", now)] == ["second"]
    # Deleting one in the middle cuts the chain there.
    delete_action(db.session.get(Action, second.id))
    db.session.commit()
    db.session.expire_all()
    third = db.session.get(Action, third.id)
    assert third.follows_id is None and case_history(third, "en", now) == []


def test_a_chain_is_capped_and_drafts_stay_out_of_the_history(app):
    now = utcnow()
    slugs = [f"step-{n}" for n in range(CHAIN_MAX)]
    actions = chain(now, *slugs, publish=False)
    last = actions[-1]
    extra = build_action(now, slug="one-too-many", publish=False)
    error = refused(extra, last.id)
    assert error.code == "too_long" and error.values == {"maximum": CHAIN_MAX}
    # Also when the action brings followers of its own below it.
    below = chain(now, "head", "tail", publish=False)
    assert refused(below[0], actions[-2].id).code == "too_long"
    check_predecessor(below[0], actions[-3].id)  # 18 + 2 = 20 fits
    # Drafts have no page: a follow-up's history leaves them out.
    assert case_history(last, "en", now) == []


# --- the editor --------------------------------------------------------------------------------


def _action_form(action, **overrides) -> dict:
    data = {
        "title": action.title,
        "slug": action.slug,
        "summary": "Ana is held.",
        "what_we_ask": "Write.",
        "language": "en",
        "target_country": "GB",
        "goal": "100",
        "deadline": action.deadline.strftime("%Y-%m-%dT%H:%M"),
        "post_days": "10",
        "mail_rate_per_hour": "10",
        "retention_days": "90",
    }
    data.update(overrides)
    return data


def test_the_editor_offers_the_other_actions_and_refuses_a_cycle_with_a_clear_message(
    app, signed_in
):
    now = utcnow()
    first, second = chain(now, "first", "second")
    editor = signed_in("editor")
    form = editor.get(f"/organise/actions/{first.id}/edit").get_data(as_text=True)
    options = re.findall(r'<option[^>]*value="(\d*)"', form.split('name="follows_id"')[1])
    assert str(second.id) in options and str(first.id) not in options  # never itself

    url = f"/organise/actions/{first.id}/edit"
    response = editor.post(url, data=_action_form(first, follows_id=str(second.id)))
    assert response.status_code == 422
    assert "“Free Ana” already follows up on this action: choose an earlier one." in (
        response.get_data(as_text=True)
    )
    zh = editor.post(url, data=_action_form(first, follows_id=str(second.id)), headers=ZH)
    assert "已经是本行动的后续行动" in zh.get_data(as_text=True)
    tampered = editor.post(url, data=_action_form(first, follows_id=str(first.id)))
    assert tampered.status_code == 422  # not among the choices
    db.session.expire_all()
    assert db.session.get(Action, first.id).follows_id is None

    # A new action chooses its predecessor; the choice shows when it is edited again.
    third = build_action(now, slug="third")
    db.session.commit()
    response = editor.post(
        f"/organise/actions/{third.id}/edit", data=_action_form(third, follows_id=str(second.id))
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Action, third.id).follows_id == second.id
    again = editor.get(f"/organise/actions/{third.id}/edit").get_data(as_text=True)
    assert re.search(rf'<option selected value="{second.id}"|value="{second.id}" selected', again)


# --- the public pages --------------------------------------------------------------------------


def test_a_follow_up_page_tells_the_case_so_far_in_the_readers_language(app, client):
    now = utcnow()
    first, _second = chain(now, "huang-2021", "huang-2023")
    first.text_in("en").title = "Free Huang Xueqin"
    save_action_texts(first, "zh", ActionTextFields(title="释放黄雪琴"))
    for key in ("a", "b", "c"):
        add_letters(first, key=key)
    update = add_update(first, "sentenced", "Sentenced to five years", "", now - timedelta(days=2))
    save_update_texts(update, "zh", "被判五年", "")
    close_action(first, now - timedelta(days=1))
    db.session.commit()

    page = client.get("/actions/huang-2023").get_data(as_text=True)
    history = page.split('id="case-so-far"')[1].split("</section>")[0]
    assert "The case so far" in page
    assert 'href="/actions/huang-2021"' in history and "Free Huang Xueqin" in history
    assert "3 letters written" in history
    assert "Sentenced to five years" in history
    assert '<span class="badge badge-closed">Sentenced</span>' in history  # the outcome
    assert f"Letters from {first.published_at:%B} " in history

    zh = client.get("/actions/huang-2023", headers=ZH).get_data(as_text=True)
    zh_history = zh.split('id="case-so-far"')[1].split("</section>")[0]
    assert "案例至今的经过" in zh and "释放黄雪琴" in zh_history
    assert "已写 3 封信" in zh_history and "被判五年" in zh_history

    earlier = client.get("/actions/huang-2021").get_data(as_text=True)
    assert "This case continues:" in earlier and 'href="/actions/huang-2023"' in earlier
    assert "此案例仍在继续：" in client.get("/actions/huang-2021", headers=ZH).get_data(
        as_text=True
    )
    assert 'id="case-so-far"' not in earlier  # the first action has no history


def test_a_draft_follow_up_is_neither_linked_nor_shown(app, client):
    now = utcnow()
    first = build_action(now, slug="first")
    draft = build_action(now, slug="draft-next", publish=False)
    set_predecessor(draft, first.id)
    db.session.commit()
    page = client.get("/actions/first").get_data(as_text=True)
    assert "This case continues" not in page and "draft-next" not in page
    assert client.get("/actions/draft-next").status_code == 404


# --- the update that invites those who wrote before --------------------------------------------


def test_an_update_invites_earlier_writers_to_the_follow_up_in_their_language(
    mail_app, signed_in, smtp_server, deliver
):
    now = utcnow()
    first, second = chain(now, "huang-2021", "huang-2023")
    second.text_in("en").title = "Write again for Huang Xueqin"
    save_action_texts(second, "zh", ActionTextFields(title="再次为黄雪琴写信"))
    other = build_action(now, slug="unrelated")
    db.session.commit()
    supporter(first, "reader@example.org", "en")
    supporter(first, "duzhe@example.org", "zh")
    editor = signed_in("editor")

    # The update form offers this action's follow-ups only.
    form = editor.get(f"/organise/actions/{first.id}/updates/new").get_data(as_text=True)
    assert f'value="{second.id}"' in form and f'value="{other.id}"' not in form
    data = {"outcome": "", "title": "A new appeal", "body": "The trial is set."}
    wrong = editor.post(f"/organise/actions/{first.id}/updates/new",
                        data={**data, "follow_up_id": str(other.id)})  # fmt: skip
    assert wrong.status_code == 422
    with pytest.raises(FollowUpError) as caught:
        add_update(first, "", "Wrong", "", now, follow_up_id=other.id)
    assert caught.value.code == "not_a_follow_up"
    db.session.rollback()
    response = editor.post(f"/organise/actions/{first.id}/updates/new",
                           data={**data, "follow_up_id": str(second.id)})  # fmt: skip
    assert response.status_code == 303
    first = db.session.get(Action, first.id)
    update = first.updates[0]
    assert update.follow_up_id == second.id
    save_update_texts(update, "zh", "新的呼吁", "审判日期已定。")
    db.session.commit()

    # A follow-up's own updates go to its own writers, not to those of the action before.
    assert update_recipients(second) == []

    response = editor.post(f"/organise/actions/{first.id}/updates/{update.id}/email")
    assert response.status_code == 303
    deliver()
    link = f"{PUBLIC_URL}/actions/huang-2023"
    (english,) = smtp_server.to("reader@example.org")
    text = english.text()
    call = "The case continues in a new action: please write again."
    assert f"{call}\nWrite again for Huang Xueqin\n{link}" in text
    (chinese,) = smtp_server.to("duzhe@example.org")
    text = chinese.text()
    assert "此案例在新的行动中继续：请再次写信。\n再次为黄雪琴写信\n" + link in text

    # The link opens the follow-up's page, and the update on the page makes the same call.
    reader = mail_app.test_client()
    opened = reader.get(link.removeprefix(PUBLIC_URL))
    assert opened.status_code == 200 and "The case so far" in opened.get_data(as_text=True)
    page = reader.get("/actions/huang-2021").get_data(as_text=True)
    call = page.split('id="update-')[1].split("</section>")[0]
    assert "The case continues in a new action: please write again." in call
    assert 'href="/actions/huang-2023"' in call
    zh_page = reader.get("/actions/huang-2021", headers=ZH).get_data(as_text=True)
    assert "此案例在新的行动中继续" in zh_page and "再次为黄雪琴写信" in zh_page


def test_an_invitation_to_a_follow_up_not_yet_published_waits_for_it(mail_app, signed_in):
    now = utcnow()
    first = build_action(now, slug="first")
    later = build_action(now, slug="later", publish=False)
    later.text_in("en").title = "The next appeal"
    set_predecessor(later, first.id)
    update = add_update(first, "", "Soon a new appeal", "", now, follow_up_id=later.id)
    db.session.commit()
    assert invitation(update, first, "en") is None
    editor = signed_in("editor")
    confirm = f"/organise/actions/{first.id}/updates/{update.id}/email"
    html = editor.get(confirm).get_data(as_text=True)
    assert "“The next appeal”, which is not published yet" in html
    assert "please write again" not in html  # the previews carry no invitation yet
    overview = editor.get(f"/organise/actions/{first.id}").get_data(as_text=True)
    assert "Followed up by:" in overview and "invites to “The next appeal”" in overview
    assert "Follows up on:" in editor.get(f"/organise/actions/{later.id}").get_data(as_text=True)

    assert publish_action(later, now) == []
    db.session.commit()
    assert invitation(update, first, "en").slug == "later"
    html = editor.get(confirm).get_data(as_text=True)
    assert "not published yet" not in html and "please write again" in html

    # An action that no longer follows this one is no longer invited to.
    set_predecessor(later, None)
    db.session.commit()
    assert invitation(update, first, "en") is None
    # Nor one deleted: the update stays, without its invitation.
    set_predecessor(later, first.id)
    db.session.commit()
    delete_action(later)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(ActionUpdate, update.id).follow_up_id is None


def test_the_case_so_far_and_the_invitation_are_valid_html(app, client, tmp_path):
    from tests.test_html_valid import vnu_errors

    now = utcnow()
    first, second = chain(now, "earlier", "later")
    add_update(first, "released", "Released", "", now, follow_up_id=second.id)
    add_update(second, "", "Trial set", "", now)
    db.session.commit()
    third = build_action(now, slug="latest")
    set_predecessor(third, second.id)
    db.session.commit()
    pages = {}
    for language in ("en", "zh"):
        for slug in ("earlier", "later", "latest"):
            response = client.get(f"/actions/{slug}", headers={"Accept-Language": language})
            assert response.status_code == 200
            pages[f"{language} {slug}"] = response.data
    assert b"case-so-far" in pages["zh latest"] and b"follow-up-call" in pages["en earlier"]
    assert vnu_errors(pages, tmp_path) == []
