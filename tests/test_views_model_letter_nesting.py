"""Deeply nested model-letter templates are refused with the usual message, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from actionapp.extensions import db
from actionapp.models import ModelLetter

DEPTH = 100
DEEP = {
    "parentheses in if": "{% if " + "(" * DEPTH + "1" + ")" * DEPTH + " %}x{% endif %}",
    "parentheses in output": "{{ " + "(" * DEPTH + "supporter.name" + ")" * DEPTH + " }}",
    "not not": "{{ " + "not " * DEPTH + "1 }}",
    "many nots": "{{ " + "not " * 3000 + "1 }}",
    "nested if blocks": "{% if 1 %}" * DEPTH + "x" + "{% endif %}" * DEPTH,
    "and chain": "{% if " + " and ".join(["supporter.name"] * 1000) + " %}x{% endif %}",
    "filter chain": "{{ supporter.name" + "|upper" * 1000 + " }}",
    "conditional chain": "{{ " + "supporter.name if supporter.city else " * DEPTH + "'x' }}",
    "comparison chain": "{% if "
    + "(supporter.name == " * DEPTH
    + "'x'"
    + ")" * DEPTH
    + " %}x{% endif %}",
}
MESSAGE = "nested more than"


def letter_form(body: str) -> dict:
    return {
        "label": "Deep",
        "variant": "deep",
        "language": "en",
        "subjects": "Subject",
        "body": body,
        "closing": "Yours sincerely,",
        "step": "save",
    }


@pytest.mark.parametrize("body", list(DEEP.values()), ids=list(DEEP))
def test_deep_templates_are_refused_on_save_and_preview(signed_in, action, body):
    editor = signed_in("editor")
    saved = editor.post(f"/organise/actions/{action.id}/letters/new", data=letter_form(body))
    assert saved.status_code == 422
    assert MESSAGE in saved.get_data(as_text=True)
    preview = editor.post(f"/organise/actions/{action.id}/letters/preview", data=letter_form(body))
    assert preview.status_code == 200
    assert MESSAGE in preview.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(ModelLetter).where(ModelLetter.variant == "deep")) is None


def test_ordinary_nesting_is_still_a_letter(signed_in, action):
    editor = signed_in("editor")
    body = (
        "{{ target.salutation }}\n\n{% if supporter.city %}{% if (supporter.country and "
        "not (supporter.city == 'x')) %}From {{ supporter.city|title }}.{% endif %}{% endif %}"
    )
    saved = editor.post(f"/organise/actions/{action.id}/letters/new", data=letter_form(body))
    assert saved.status_code == 303, saved.get_data(as_text=True)
