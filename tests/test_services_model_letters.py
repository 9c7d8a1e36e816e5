"""Model letter templates: six placeholders render in the sandbox; anything else is refused."""

from __future__ import annotations

from datetime import date

import pytest

from actionapp.campaigns.model_letters import check_model_template
from actionapp.letters.compose import (
    SupporterDetails,
    editable_text,
    letter_from_model,
    render_model_body,
)
from actionapp.models import ModelLetter, Target
from tests.builders import full_letter_fields, letter_fields, make_chinese_case

ALL_SIX = (
    "{{ target.salutation }}\nFrom {{ supporter.name }} in {{ supporter.city }}, "
    "{{ supporter.country }}, on {{ today }}.\n{{ personal_message }}"
)


def _letter(body: str, language: str = "en") -> ModelLetter:
    return ModelLetter(
        variant="v", language=language, label="L", locked=False, subjects=["S"], closing="C",
        body=body,
    )  # fmt: skip


def _details(**overrides) -> SupporterDetails:
    values = dict(
        name="Mei", city="Lyon", country="FR", language="en", variant="v",
        personal_message="I am a nurse.", seed="s",
    )  # fmt: skip
    values.update(overrides)
    return SupporterDetails(**values)


def test_all_six_placeholders_render_and_the_paragraph_is_not_repeated(app):
    assert check_model_template(ALL_SIX) == []
    target = Target(name="Judge", language="en", salutations={"en": "Dear Judge,"})
    letter = letter_from_model(_letter(ALL_SIX), _details(), target, date(2026, 3, 1))
    assert letter.body == ("Dear Judge,\nFrom Mei in Lyon, France, on 1 March 2026.\nI am a nurse.")
    assert letter.personal_message == ""  # placed by the template, so not added again
    plain = letter_from_model(_letter("Hello."), _details(), target, date(2026, 3, 1))
    assert plain.personal_message == "I am a nurse."


def test_supporter_edits_keep_tokens_for_the_new_placeholders(app):
    model = _letter(ALL_SIX)
    text = editable_text(model)
    assert "[salutation]" in text and "[your personal paragraph]" in text and "[date]" in text
    edited = text + "\nMy own line."
    target = Target(name="Judge", language="en", salutations={"en": "Dear Judge,"})
    letter = letter_from_model(model, _details(edited_body=edited), target, date(2026, 3, 1))
    assert letter.body.startswith("Dear Judge,") and "I am a nurse." in letter.body
    assert letter.body.endswith("My own line.") and "[" not in letter.body


@pytest.mark.parametrize(
    ("template", "line", "words"),
    [
        ("{{ ''.__class__.__mro__ }}", 1, "cannot reach into the program"),
        ("ok\nok\n{{ supporter.password }}", 3, "Unknown placeholder {{ supporter.password }}"),
        ("{{ config }}", 1, "Unknown placeholder {{ config }}"),
        ("{{ supporter }}", 1, "supporter.name"),
        ("a\n{% include 'x' %}", 2, "not allowed"),
        ("{% set x = 1 %}", 1, "not allowed"),
        ("{{ supporter.name|attr('__class__') }}", 1, "filter"),
        ("{{ supporter['name'] }}", 1, "Square brackets"),
        ("{% if x %}", 1, "syntax error"),
        ("{{ (1).__class__ }}", 1, "cannot reach"),
        ("{% macro m() %}{% endmacro %}", 1, "not allowed"),
    ],
)
def test_refused_templates_say_where_and_why(app, template, line, words):
    problems = check_model_template(template)
    assert problems, template
    assert problems[0].line == line
    with app.test_request_context():  # messages are translated for the organiser's language
        assert words in str(problems[0].message)


def test_the_sandbox_still_stops_what_slips_through(app):
    from jinja2.sandbox import SecurityError

    with pytest.raises(SecurityError):
        render_model_body("{{ supporter.__class__.__init__ }}", {"supporter.name": "x"})


def test_placeholders_left_out_by_a_caller_render_empty(app):
    # An event pack fills in only the target and blank supporter lines.
    body = "{{ target.name }}|{{ today }}|{{ personal_message }}|{{ supporter.city }}"
    assert render_model_body(body, {"target.name": "Judge"}) == "Judge|||"


def test_plain_model_letters_are_filled_in_exactly_as_the_sandbox_renders_them(app):
    from actionapp.letters.compose import (
        _compiled,
        _Namespace,
        _placeholder_parts,
        render_model_body,
    )

    values = {
        "supporter.name": "Ana <b>{{ 7*7 }}</b>",
        "supporter.city": "Leeds",
        "supporter.country": "United Kingdom",
        "target.salutation": "Dear President",
        "personal_message": "I care.",
    }
    personal = "{{ supporter.name }} in {{ supporter.city }}:\n\n{{ personal_message }}\n\nThanks."
    action = make_chinese_case(
        letters=[
            full_letter_fields("en"),
            full_letter_fields("zh"),
            letter_fields("en", variant="health", label="Health", body=personal),
        ]
    )
    for model in action.model_letters:
        assert _placeholder_parts(model.body) is not None, model.variant
        rendered = _compiled(model.body).render(
            supporter=_Namespace(
                name="Ana <b>{{ 7*7 }}</b>", city="Leeds", country="United Kingdom"
            ),
            target=_Namespace(name="", salutation="Dear President"),
            personal_message=values["personal_message"],
            today="",
        )
        assert render_model_body(model.body, values) == rendered.strip()
        # Supporter text goes in as it is: never run as a template.
        assert "{{ 7*7 }}" in render_model_body(model.body + " {{ supporter.name }}", values)


def test_model_letters_with_conditions_are_rendered_by_the_sandbox():
    from actionapp.letters.compose import _placeholder_parts, render_model_body

    body = "From {{ supporter.city }}.{% if personal_message %} {{ personal_message }}{% endif %}"
    assert _placeholder_parts(body) is None
    assert render_model_body(body, {"supporter.city": "Leeds"}) == "From Leeds."
    assert render_model_body(body, {"supporter.city": "Leeds", "personal_message": "Hi"}) == (
        "From Leeds. Hi"
    )
    assert _placeholder_parts("{{ supporter.name|upper }}") is None
