"""Event packs follow the rules of single letters: each official's language, a salutation in
the letter's language, and labelled blank lines; read back from the PDF on both papers."""

from __future__ import annotations

import io

import pdfplumber
import pytest

from actionapp.extensions import db
from actionapp.models import Target, TargetKind
from actionapp.printing.pdf.paper import PAPERS
from tests.builders import make_chinese_case
from tests.fixtures_print import MM_PER_PT, read_pdf
from tests.realworld import targets

ENGLISH_ONLY = next(t for t in targets() if "only an English salutation" in t["why"])


@pytest.fixture
def action(app):
    """Two targets in China written to in Chinese, with email addresses, and a UK embassy copy."""
    built = make_chinese_case()
    db.session.commit()
    return built


def _pack(client, action, target_ids, paper, language=None):
    query = "&".join(f"targets={t}" for t in target_ids)
    lang = f"&language={language}" if language is not None else ""
    response = client.get(
        f"/actions/{action.slug}/event/pack.pdf?variant=release&paper={paper}&copies=1"
        f"{lang}&{query}"
    )
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    return response.data


def test_the_event_page_offers_each_recipients_own_language_first(client, action):
    page = client.get(f"/actions/{action.slug}/event").get_data(as_text=True)
    assert '<option selected value="">Each recipient' in page or (
        'value="" selected' in page and "Each recipient" in page
    )


@pytest.mark.parametrize("paper", sorted(PAPERS))
def test_each_official_gets_a_letter_in_their_own_language_by_default(client, action, paper):
    primary = [t for t in action.targets if t.kind == TargetKind.PRIMARY]
    pdf = read_pdf(_pack(client, action, [t.id for t in primary], paper, language=""))
    for page, target in zip(pdf.texts, primary, strict=False):
        flat = page.replace(" ", "")
        salutation = target.salutations.get(target.language, "").replace(" ", "")
        assert salutation and salutation in flat, (target.name, target.language)


@pytest.mark.parametrize("paper", sorted(PAPERS))
def test_a_chinese_letter_to_an_english_only_official_uses_the_chinese_generic_salutation(
    client, action, paper
):
    official = Target(
        kind=TargetKind.PRIMARY,
        name=ENGLISH_ONLY["name"],
        organisation=ENGLISH_ONLY["organisation"],
        address_lines=ENGLISH_ONLY["address"],
        language=ENGLISH_ONLY["language"],
        salutations={ENGLISH_ONLY["language"]: ENGLISH_ONLY["salutation"]},
        position=len(action.targets),
    )
    action.targets.append(official)
    db.session.commit()
    pdf = read_pdf(_pack(client, action, [official.id], paper, language="zh"))
    first = pdf.texts[0].replace(" ", "")
    assert "尊敬的先生/女士：" in first
    assert ENGLISH_ONLY["salutation"].replace(" ", "") not in first


@pytest.mark.parametrize("paper", sorted(PAPERS))
@pytest.mark.parametrize(
    ("language", "labels"),
    [("en", ("Date", "Your name", "Your address")), ("zh", ("日期", "您的姓名", "您的地址"))],
)
def test_blank_lines_carry_small_labels_under_them(client, action, paper, language, labels):
    primary = [t.id for t in action.targets if t.kind == TargetKind.PRIMARY][:1]
    data = _pack(client, action, primary, paper, language=language)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        text = page.extract_text().replace(" ", "")
        # A blank line is a box's bottom border: its bottom edge, wider than 20 mm.
        rules = [
            (r["x0"] * MM_PER_PT, r["x1"] * MM_PER_PT, r["bottom"] * MM_PER_PT)
            for r in [*page.rects, *page.lines]
            if (r["x1"] - r["x0"]) * MM_PER_PT > 20
        ]
        found = {label: page.search(label, regex=False) for label in labels}
    for label in labels:
        assert label.replace(" ", "") in text, label
    for label in labels:
        assert found[label], label
        word = found[label][-1]
        top, x0 = word["top"] * MM_PER_PT, word["x0"] * MM_PER_PT
        above = [r for r in rules if 0 < top - r[2] < 3 and r[0] - 1 <= x0 <= r[1]]
        assert above, f"no blank line just above the label {label!r}"
        size = word["bottom"] - word["top"]
        assert size < 9, "labels are small"
