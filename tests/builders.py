"""Small builders for test data, on the paths the editor and the composer take."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from actionapp.campaigns.case_texts import ActionTextFields, save_action_texts
from actionapp.campaigns.editing import (
    ActionFields,
    ModelLetterFields,
    add_update,
    close_action,
    create_action,
    publish_action,
    save_model_letter,
    save_target,
)
from actionapp.campaigns.seed import free_slug
from actionapp.campaigns.target_checks import TargetFields
from actionapp.events.reports import NewEventReport, approve_event_report, record_event_report
from actionapp.extensions import db
from actionapp.letters.compose import write_letters
from actionapp.letters.record import NewSubmission, record_letters
from actionapp.models import Action, Submission, TargetKind, utcnow


def submit_letters(action: Action, new: NewSubmission, now: datetime) -> Submission:
    """Write, record and count a supporter's letters as the composer does; return the submission.

    The composer writes the letters (with translations) before it takes the write lock, then
    records them; tests need no translations, so they are left out here.
    """
    recorded = record_letters(
        action, new, write_letters(action, new.details, now.date(), translations=False), now
    )
    return db.session.get_one(Submission, recorded.id)


# Salutations and a model letter's words in the languages tests build actions in.
SALUTATIONS = {
    "en": "Dear Minister,",
    "zh": "尊敬的部长：",
    "fr": "Monsieur le Ministre,",
    "de": "Sehr geehrter Herr Minister,",
}
LETTER_WORDS = {
    "en": (
        "Release",
        "Release Ana",
        "Yours sincerely,",
        "I am writing to you from {city}, {country}.",
        "Please release Ana.",
    ),
    "zh": (
        "释放",
        "请释放安娜",
        "此致\n敬礼！",
        "我从{city}（{country}）致信您。",
        "请立即释放安娜。",
    ),
    "fr": (
        "Libération",
        "Libérez Ana",
        "Veuillez agréer,",
        "Je vous écris de {city}, {country}.",
        "Veuillez libérer Ana.",
    ),
    "de": (
        "Freilassung",
        "Lassen Sie Ana frei",
        "Mit freundlichen Grüßen",
        "Ich schreibe Ihnen aus {city}, {country}.",
        "Bitte lassen Sie Ana frei.",
    ),
}


def target_fields(name: str = "Minister Wei", **overrides) -> TargetFields:
    """Return a primary target's fields as the target form gives them (overrides by name)."""
    values = {
        "kind": TargetKind.PRIMARY,
        "supporter_country": None,
        "name": name,
        "title": "Minister of Justice",
        "organisation": "Ministry of Justice",
        "address_lines": "10 Justice Road\nCapital City",
        "country": "GB",
        "email": None,
        "language": "en",
        "salutations": {"en": "Dear Minister,"},
        "why": "",
        "is_example": False,
    }
    values.update(overrides)
    return TargetFields(**values)


def zh_target_fields(name: str = "Judge Li", **overrides) -> TargetFields:
    """Return a primary target in China written to in Chinese (with an English salutation)."""
    values = {
        "title": "Judge",
        "organisation": "深圳市中级人民法院",
        "address_lines": "福田区人民路1号\nShenzhen",
        "country": "CN",
        "language": "zh",
        "salutations": {"zh": "尊敬的李法官：", "en": "Dear Judge Li,"},
        "email": "judge-li@example.org",
    }
    values.update(overrides)
    return target_fields(name, **values)


def prosecutor_fields(**overrides) -> TargetFields:
    """Return a second target in China written to in Chinese (beside zh_target_fields)."""
    values = {
        "title": "Prosecutor",
        "organisation": "深圳市人民检察院",
        "email": "chen@example.org",
        "salutations": {"zh": "尊敬的陈检察官：", "en": "Dear Prosecutor Chen,"},
    }
    values.update(overrides)
    return zh_target_fields("Prosecutor Chen", **values)


def embassy_fields(supporter_country: str = "GB", **overrides) -> TargetFields:
    """Return an embassy copy's fields: the diplomatic copy for supporters in one country."""
    values = {
        "kind": TargetKind.EMBASSY,
        "supporter_country": supporter_country,
        "name": "The Ambassador",
        "title": "Ambassador",
        "organisation": f"Embassy in {supporter_country}",
        "address_lines": "1 Embassy Row\nCapital City",
        "country": supporter_country,
        "email": f"embassy-{supporter_country.lower()}@example.org",
        "salutations": {"en": "Your Excellency,", "zh": "尊敬的大使阁下："},
    }
    values.update(overrides)
    return target_fields(**values)


def letter_fields(language: str = "en", **overrides) -> ModelLetterFields:
    """Return a model letter's fields in a language (a "release" letter; overrides by name)."""
    label, subject, closing, opening, sentence = LETTER_WORDS[language]
    # Body only: the composer adds the salutation, the personal paragraph and the signature.
    body = (
        opening.format(city="{{ supporter.city }}", country="{{ supporter.country }}")
        + "\n\n"
        + sentence
    )
    values = {
        "variant": "release",
        "language": language,
        "label": label,
        "locked": False,
        "subjects": [subject],
        "closing": closing,
        "body": body,
    }
    values.update(overrides)
    return ModelLetterFields(**values)


# A model letter as organisers write one: four paragraphs, the supporter's place in the first.
FULL_LETTERS = {
    "en": (
        "I am writing to you from {{ supporter.city }}, {{ supporter.country }}, about the "
        "journalist Ana Novak, who has been detained since 3 March and now faces trial on a "
        'charge of "spreading rumours".\n\n'
        "Ana Novak reported on forced evictions and gave a voice to the families who lost their "
        "homes. I understand that she is being prosecuted solely for this peaceful work. Freedom "
        "of expression is protected by the Universal Declaration of Human Rights, and your "
        "country's constitution also guarantees it to its citizens.\n\n"
        "I respectfully urge you to do everything within your authority to ensure that Ana Novak "
        "is released immediately and unconditionally. Until she is released, please ensure that "
        "she has regular access to her family and to a lawyer of her choice, that she receives "
        "the medical care she needs, and that she is protected from any ill-treatment.\n\n"
        "Thank you for your attention to this request."
    ),
    "zh": (
        "我从{{ supporter.city }}（{{ supporter.country }}）致信您，是因为我十分关切记者"
        "安娜·诺瓦克的处境。她自3月3日起被羁押，现以“散布谣言”罪名面临审判。\n\n"
        "安娜·诺瓦克长期报道强制拆迁，为失去家园的家庭发声。据我了解，她仅因这些和平的工作"
        "而遭到起诉。言论自由受到《世界人权宣言》的保护，贵国宪法也保障公民享有这项自由。\n\n"
        "我恳请您在职权范围内尽一切努力，立即无条件释放安娜·诺瓦克。在她获释之前，请保障她"
        "能够定期会见家人和自行选择的律师，及时获得所需的医疗救治，并免受任何虐待。\n\n"
        "感谢您关注此事。"
    ),
}


def full_letter_fields(language: str = "en", **overrides) -> ModelLetterFields:
    """Return a model letter of full length (FULL_LETTERS) in English or Chinese."""
    return letter_fields(language, **{"body": FULL_LETTERS[language], **overrides})


def _slug(title: str) -> str:
    return free_slug(re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "action")


def make_action(
    title: str = "Free Ana",
    *,
    language: str = "en",
    targets: Sequence[TargetFields] | None = None,
    letters: Sequence[ModelLetterFields] | None = None,
    texts: Mapping[str, ActionTextFields] | None = None,
    now: datetime | None = None,
    publish: bool = True,
    event_letters: int = 0,
    outcome: str | None = None,
    closed: bool = False,
    **settings,
) -> Action:
    """Add an action through the editor's services and return it (flushes, never commits).

    By default: live, in `language`, with one primary target (in GB, written to in that
    language) and one model letter in that language. `targets` and `letters` replace those
    defaults (see target_fields, embassy_fields, letter_fields); `texts` adds the case in
    other languages; `event_letters` records an approved event report of that many letters
    to the first target; `outcome` adds an update with that outcome ("released"); `closed`
    closes it after publishing. `settings` override the action form's values.
    """
    now = now or utcnow()
    values = {
        "slug": _slug(title),
        "ua_number": "UA 1/26",
        "image_alt": "",
        "language": language,
        "target_country": "GB",
        # The app's defaults for a new action.
        "goal": 1000,
        "deadline": now + timedelta(days=30),
        "post_days": 10,
        "require_email_confirmation": True,
        "mail_rate_per_hour": 30,
        "retention_days": 30,
    }
    values.update(settings)
    own = ActionTextFields(title=title, summary="Ana is held.", what_we_ask="Write.")
    action = create_action(ActionFields(**values), own, now)
    for text_language, text in (texts or {}).items():
        save_action_texts(action, text_language, text)
    default_target = target_fields(language=language, salutations={language: SALUTATIONS[language]})
    for fields in targets if targets is not None else (default_target,):
        save_target(action, None, fields)
    for fields in letters if letters is not None else (letter_fields(language),):
        save_model_letter(action, None, fields)
    if publish:
        problems = publish_action(action, now)
        assert problems == [], [str(p) for p in problems]
    if event_letters:
        _approved_event(action, event_letters, now)
    if outcome is not None:
        add_update(action, outcome, "The court has ruled", "Ana is free.", now)
    if closed:
        close_action(action, now)
    db.session.flush()
    return action


def _approved_event(action: Action, letters: int, now: datetime) -> None:
    """Record an event report of `letters` letters to the first target, and approve it."""
    report = record_event_report(
        action,
        NewEventReport(
            held_on=(now - timedelta(days=1)).date(),
            city="Leeds",
            host_name="Sam Host",
            host_contact="sam@example.org",
            letters_by_target={action.targets[0].id: letters},
            country="GB",
        ),
        now,
    )
    approve_event_report(report.id, now)


def make_chinese_case(embassies: Sequence[str] = ("GB",), **options) -> Action:
    """Add an English action whose two targets in China get Chinese letters (make_action).

    Model letters in English and Chinese (unless `letters` says otherwise); an embassy copy
    for supporters in each of `embassies`. `options` go to make_action.
    """
    targets = [zh_target_fields(), prosecutor_fields()]
    targets += [embassy_fields(country) for country in embassies]
    options.setdefault("letters", [letter_fields("en"), letter_fields("zh")])
    return make_action(targets=targets, **options)


def build_action(
    now: datetime,
    slug: str = "free-ana",
    targets: tuple[TargetFields, ...] | None = None,
    publish: bool = True,
    **settings,
) -> Action:
    """Add the "Free Ana" action at `slug`, email letters unconfirmed (see make_action)."""
    for name, value in (
        ("require_email_confirmation", False),
        ("goal", 100),
        ("mail_rate_per_hour", 10),
        ("retention_days", 90),
    ):
        settings.setdefault(name, value)
    return make_action(now=now, slug=slug, targets=targets, publish=publish, **settings)
