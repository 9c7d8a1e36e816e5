"""The editor's rules (campaigns/editing.py) called directly: publishing, targets, CSV import."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from actionapp.campaigns.case_texts import ActionTextFields, save_action_texts
from actionapp.campaigns.editing import (
    delete_action,
    embassy_conflict,
    import_embassies,
    language_change_lacks,
    parse_salutations,
    publish_problems,
    salutations_text,
    same_official,
)
from actionapp.extensions import db
from actionapp.models import ActionStatus, Target, TargetKind, utcnow
from tests.builders import build_action, make_chinese_case, target_fields

HEADER = "supporter_country,name,title,address,email,salutation_en,salutation_zh\n"


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def _embassies(action) -> dict[str, Target]:
    return {t.supporter_country: t for t in action.targets if t.kind == TargetKind.EMBASSY}


def test_a_built_action_is_live_with_its_target_and_letter(app):
    action = build_action(utcnow())
    assert action.status == ActionStatus.LIVE
    assert [t.name for t in action.targets] == ["Minister Wei"]
    assert [m.variant for m in action.model_letters] == ["release"]


def test_publish_problems_name_what_is_missing(app):
    now = utcnow()
    action = build_action(now, targets=(), publish=False)
    problems = [str(p) for p in publish_problems(action, now)]
    assert problems == ["Add at least one target to write to."]
    late = build_action(now, slug="late", publish=False, deadline=now - timedelta(hours=1))
    assert [str(p) for p in publish_problems(late, now)] == [
        "The deadline has passed: set a later one."
    ]
    assert late.status == ActionStatus.DRAFT


def test_the_embassy_import_adds_copies_with_their_address_and_salutations(app):
    action = build_action(utcnow())
    csv_text = (
        "\ufeff" + HEADER + "FR,Embassy in Paris,Ambassador,1 Rue A|75001 Paris,,Your Excellency,"
        "尊敬的大使\nDE,Embassy in Berlin,,Strasse 1|10117 Berlin,berlin@example.org,,\n"
    )
    result = import_embassies(action, csv_text)
    assert (result.created, result.updated, result.problems) == (2, 0, ())
    paris = _embassies(action)["FR"]
    assert paris.address_lines == "1 Rue A\n75001 Paris"
    assert paris.country == "FR"  # the supporter country when no country column is given
    assert paris.salutations == {"en": "Your Excellency", "zh": "尊敬的大使"}
    assert _embassies(action)["DE"].email == "berlin@example.org"


def test_importing_a_country_again_replaces_its_copy(app):
    action = build_action(utcnow())
    import_embassies(action, HEADER + "FR,Embassy in Paris,,1 Rue A,,,\n")
    result = import_embassies(action, HEADER + "fr,New embassy in Paris,,2 Rue B,,,\n")
    assert (result.created, result.updated) == (0, 1)
    assert len(_embassies(action)) == 1
    assert _embassies(action)["FR"].name == "New embassy in Paris"


def test_a_bad_row_stops_the_whole_import_with_its_line_and_column(app):
    action = build_action(utcnow())
    csv_text = (
        HEADER
        + 'FR,Embassy in Paris,,"1 Rue A\n75001 Paris",,,\n'  # a quoted cell over two lines
        + "DE,Embassy in Berlin,,Strasse 1,not-an-address,,\n"
        + "FR,Embassy again,,1 Rue C,,,\n"
    )
    result = import_embassies(action, csv_text)
    assert (result.created, result.updated) == (0, 0)
    lines = [line for line, _message in result.problems]
    assert lines == [4, 5]
    assert result.problems[0][1].startswith("email: ")
    assert result.problems[1][1] == "This supporter country appears twice."
    assert _embassies(action) == {}


def test_missing_columns_are_named(app):
    action = build_action(utcnow())
    result = import_embassies(action, "name,title\nEmbassy,\n")
    assert result.problems == ((1, "Missing columns: supporter_country"),)


def test_salutations_round_trip_and_lines_not_understood_come_back():
    salutations, bad = parse_salutations("en: Dear Minister\n\nzh: 尊敬的部长\nnonsense\nxx-: Hi")
    assert salutations == {"en": "Dear Minister", "zh": "尊敬的部长"}
    assert bad == ["nonsense", "xx-: Hi"]
    assert parse_salutations(salutations_text(salutations)) == (salutations, [])


def test_the_same_official_is_found_by_address_or_by_name_and_organisation(app):
    action = build_action(
        utcnow(), targets=(target_fields(email="wei@example.org"), target_fields("Judge Li"))
    )
    wei, li = action.targets
    assert same_official(action, "Someone", "Elsewhere", "WEI@example.org", None) is wei
    assert same_official(action, " minister  WEI", "ministry of justice", None, None) is wei
    assert same_official(action, "Minister Wei", "Ministry of Justice", None, wei.id) is None
    assert same_official(action, "Judge Li", "Another court", None, None) is None
    assert li.kind == TargetKind.PRIMARY


def test_one_embassy_copy_per_supporter_country(app):
    action = build_action(utcnow())
    import_embassies(action, HEADER + "FR,Embassy in Paris,,1 Rue A,,,\n")
    paris = _embassies(action)["FR"]
    assert embassy_conflict(action, "FR", None)
    assert not embassy_conflict(action, "FR", paris.id)
    assert not embassy_conflict(action, "DE", None)


def test_a_language_change_names_the_texts_the_new_language_lacks(app):
    action = build_action(utcnow())
    save_action_texts(action, "zh", ActionTextFields(title="释放安娜"))
    assert language_change_lacks(action, "zh") == ["summary", "what_we_ask"]
    assert language_change_lacks(action, "fr") == []  # no texts: a relabelling
    assert language_change_lacks(action, "en") == []


def test_deleting_an_action_removes_its_targets(app):
    action = build_action(utcnow())
    db.session.commit()
    delete_action(action)
    db.session.commit()
    assert db.session.scalar(select(func.count(Target.id))) == 0


def test_a_live_action_keeps_its_last_model_letter_in_its_own_language(app, action):
    from actionapp.campaigns.editing import remove_model_letter

    own = [m for m in action.model_letters if m.language == action.language]
    other = [m for m in action.model_letters if m.language != action.language]
    assert own and other and action.status == "live"
    for letter in own[1:]:
        assert remove_model_letter(action, letter)
    assert not remove_model_letter(action, own[0])  # the last one in its own language
    assert own[0] in action.model_letters
    assert remove_model_letter(action, other[0])  # another language's may go
    action.status = "draft"
    assert remove_model_letter(action, own[0])  # a draft need not keep one


def test_a_target_with_letters_stays(app, action):
    from actionapp.campaigns.editing import remove_target
    from actionapp.letters.compose import SupporterDetails
    from actionapp.letters.record import NewSubmission
    from actionapp.models import Channel
    from tests.builders import submit_letters

    written, spare = action.targets[0], action.targets[1]
    details = SupporterDetails(
        name="Ana", city="Porto", country="PT", language="en", variant="release",
        target_ids=[written.id],
    )  # fmt: skip
    new = NewSubmission(details, Channel.PRINT, "target-stays-0001", consent_text="ok")
    submit_letters(action, new, utcnow())
    db.session.flush()
    assert not remove_target(action, written)
    assert written in action.targets
    assert remove_target(action, spare)
    assert spare not in action.targets
