"""The safety rules of a message: what is flagged, and ordinary messages that are not."""

from __future__ import annotations

import pytest

from actionapp.solidarity.safety import Problem, SafetyRules, message_problems

RULES = SafetyRules(
    max_chars=400,
    organisation="Example Rights",
    avoid_words=("Guangzhou", "广州"),
    surname="Doe",
    town="Leeds",
)


def problems(text: str, rules: SafetyRules = RULES) -> list[tuple[str, str]]:
    return [(str(f.problem), f.text) for f in message_problems(text, rules)]


@pytest.mark.parametrize(
    "text",
    [
        "Keep strong! We think of you and your family every day.",
        "Since 19 September 2021 we have not forgotten you. 加油！",
        "Mr. Wang, e.g. your courage, is an example to us all.",
        "我们一直在想念你，请保重身体。",
        "نحن نفكر فيك كل يوم. كن قويا.",
        "Stay strong 💪 — you are not alone (1,000 of us wrote today).",
        "Rights for everyone! Example of hope.",  # "Example" alone is not the name
    ],
)
def test_ordinary_messages_pass(text):
    assert problems(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("   ", [("empty", "")]),
        ("💪🙏❤️", [("only_symbols", "")]),
        ("https://example.org", [("only_symbols", ""), ("link", "https://example.org")]),
        ("Hi <b>there</b>", [("markup", "<b>")]),
        ("Hi &lt;there", [("markup", "&lt;")]),
        ("From all of us at example rights!", [("organisation", "example rights")]),
        ("Mail me: jane@example.org", [("email", "jane@example.org")]),
        ("Visit example.org/news today", [("link", "example.org/news")]),
        ("Ring 020 7946 0958", [("phone", "020 7946 0958")]),
        ("Jane Doe is with you", [("surname", "Doe")]),
        ("Love from Leeds", [("place", "Leeds")]),
        ("We pray for you in guangzhou", [("avoid", "guangzhou")]),
        ("我们在广州想念你", [("avoid", "广州")]),
        # Letters that case folding lengthens ("ß" -> "ss", "İ" -> "i̇") before the word:
        # the message quotes the word as typed, not a slice shifted by them.
        ("Liebe Grüße aus Leeds!", [("place", "Leeds")]),
        ("İyi dileklerle, Jane Doe", [("surname", "Doe")]),
    ],
)
def test_what_is_flagged(text, expected):
    assert problems(text) == expected


def test_a_word_that_folds_longer_is_quoted_as_typed():
    rules = SafetyRules(max_chars=400, surname="STRAUSS", town="Gießen")
    assert problems("Grüße, Anna Strauß aus GIESSEN", rules) == [
        ("surname", "Strauß"),
        ("place", "GIESSEN"),
    ]


def test_the_rules_organisers_turn_off_are_not_applied():
    relaxed = SafetyRules(
        max_chars=400,
        organisation="Example Rights",
        no_organisation=False,
        no_surnames=False,
        no_places=False,
        surname="Doe",
        town="Leeds",
    )
    assert problems("Jane Doe of Leeds and Example Rights", relaxed) == []


def test_the_length_limit_counts_characters_of_the_trimmed_text():
    assert problems("a" * 400) == []
    assert problems("  " + "a" * 401 + "  ") == [(str(Problem.TOO_LONG), "401")]


def test_a_card_is_signed_with_the_first_name_not_a_title():
    from actionapp.solidarity.safety import first_name_of

    assert first_name_of("Dr. Friederike Baumgärtner-Oelschläger") == "Friederike"
    assert first_name_of("Prof. Dr. Ana María López") == "Ana"
    assert first_name_of("Mei Ling") == "Mei"
    assert first_name_of("Dr.") == "Dr."
    assert first_name_of("  ") == ""
