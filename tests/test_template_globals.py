"""Templates get what they show from their view; globals and filters only present (issue 13).

A template global that reads the database or applies a rule hides a query or a rule inside a
template, where its view cannot see it. What the app adds to Jinja is listed here: adding a
name means saying why it is presentation only (web/i18n.py, printing/views.py, web/organise.py).
"""

from flask import Flask

# Formatting in the interface language and the language switcher with the page it comes back
# to (web/i18n.py), a URL builder (web/organise.py), and what Flask-Babel and Flask-WTF add.
PRESENTATION_GLOBALS = {
    "interface_language", "native_language_name", "languages", "current_page", "action_image_url",
    "_", "gettext", "ngettext", "pgettext", "npgettext", "csrf_token", "csrf_meta_tag",
}  # fmt: skip
# Values in hand written for the interface language, and a text's or language's direction.
PRESENTATION_FILTERS = {
    "number", "when", "deadline", "day", "country", "language", "markdown", "html_lang",
    "textdir", "langdir", "status_label",
}  # fmt: skip


def test_the_app_adds_only_presentation_helpers_to_templates(app):
    bare = Flask("bare").jinja_env
    assert set(app.jinja_env.globals) - set(bare.globals) == PRESENTATION_GLOBALS
    added_filters = set(app.jinja_env.filters) - set(bare.filters)
    # Flask-Babel's own formatting filters (dateformat, ...) are presentation too.
    assert added_filters >= PRESENTATION_FILTERS
    assert {f for f in added_filters - PRESENTATION_FILTERS if not f.endswith("format")} == set()
