"""The composer: writing a letter, its preview and sending it (the thank-you page: thanks_views)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache

from flask import (
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from actionapp.campaigns.action_cache import CachedAction
from actionapp.campaigns.actions import (
    action_state,
    embassy_for,
    letter_languages,
    primary_targets,
    variants,
)
from actionapp.campaigns.case_texts import case_texts
from actionapp.database import write_transaction
from actionapp.email.addresses import email_lookup_key
from actionapp.email.channels import email_notes, start_email_delivery
from actionapp.email.messages import mail_settings
from actionapp.extensions import db
from actionapp.letters import antibot
from actionapp.letters.coaching import Coaching, coach_composer, composer_share
from actionapp.letters.compose import (
    EDIT_TOKENS,
    SupporterDetails,
    current_body,
    editable_texts,
    edits_not_reaching,
    write_letters,
)
from actionapp.letters.forms import ComposeForm, choices_of, return_address_problem
from actionapp.letters.limits import composer_limits, is_send, officials_within_budget
from actionapp.letters.record import (
    ActionClosedError,
    AlreadyWrittenError,
    NewSubmission,
    NoEmailAddressError,
    NoRecipientsError,
    record_letters,
    recorded_by_client_key,
)
from actionapp.models import Action, Channel, Submission, utcnow
from actionapp.state import app_state
from actionapp.web.errors import keeps_typed
from actionapp.web.i18n import (
    country_choices,
    country_from_accept_language,
    interface_language,
    is_country,
    language_label,
)
from actionapp.web.pagecache import action_page_versions
from actionapp.web.public import bp


def consent_label(action: Action) -> str:
    """Return the consent sentence shown beside the required checkbox (and recorded)."""
    return _(
        "I agree that %(organisation)s processes my letter, my name, my town and, if I give "
        "them, my email and postal addresses, to send and count my letter for this action. "
        "My details are deleted %(days)d days after the action closes.",
        organisation=current_app.config["ORGANISATION_NAME"],
        days=action.retention_days,
    )


@dataclass(frozen=True)
class ComposerChoices:
    """The composer's choices for one action version and interface language."""

    languages: list[str]
    language_choices: list
    target_choices: list
    # Per letter language: the model letters offered, as choices and as a set of keys.
    variant_choices: dict[str, tuple[list, frozenset[str]]]
    consent_label: str


def _composer_choices(action: Action, ui: str) -> ComposerChoices:
    languages = letter_languages(action)
    offered = {code: variants(action, code) for code in languages}
    return ComposerChoices(
        languages=languages,
        language_choices=choices_of((code, language_label(code, ui)) for code in languages),
        target_choices=choices_of((t.id, t.name) for t in primary_targets(action)),
        variant_choices={
            code: (
                choices_of((m.variant, m.label) for m in letters),
                frozenset(m.variant for m in letters),
            )
            for code, letters in offered.items()
        },
        consent_label=consent_label(action),
    )


def _prepare(form: ComposeForm, cached: CachedAction) -> ComposerChoices:
    """Give the form its choices, all drawn from the action (worked out once per version)."""
    ui = interface_language()
    choices = cached.memo(("composer", ui), lambda: _composer_choices(cached.action, ui))
    form.country.choices = _country_select(ui)
    form.language.choices = choices.language_choices
    if form.language.data not in choices.languages:
        form.language.data = ui if ui in choices.languages else cached.action.language
    form.targets.choices = choices.target_choices
    offered, keys = choices.variant_choices.get(form.language.data, ([], frozenset()))
    if not offered:
        offered, keys = choices.variant_choices.get(cached.action.language, ([], frozenset()))
    form.variant.choices = offered
    if form.variant.data not in keys and offered:
        form.variant.data = offered[0].value
    form.consent_processing.label.text = choices.consent_label
    return choices


@lru_cache(maxsize=8)
def _country_select_cached(ui: str, prompt: str) -> list:
    return choices_of([("", prompt), *country_choices(ui)])


def _country_select(ui: str) -> list:
    return _country_select_cached(ui, _("Choose your country"))


def _fill_defaults(form: ComposeForm, action: Action) -> None:
    """Pre-fill a fresh composer: all targets, the visitor's country, a fresh key."""
    form.targets.data = [t.id for t in primary_targets(action)]
    guess = country_from_accept_language()
    form.country.data = guess if is_country(guess) else ""
    form.client_key.data = secrets.token_urlsafe(24)


def _stamp(form: ComposeForm) -> None:
    if not form.started.data:
        form.started.data = antibot.start_token(current_app.config["SECRET_KEY"], utcnow())


def _details(form: ComposeForm, action: Action, draft: bool = False) -> SupporterDetails:
    """Turn the form into the supporter's details; a draft shows [tokens] for missing ones."""
    tokens = EDIT_TOKENS.get(form.language.data, EDIT_TOKENS["en"]) if draft else {}
    return SupporterDetails(
        name=(form.name.data or "").strip() or tokens.get("supporter.name", ""),
        city=(form.city.data or "").strip() or tokens.get("supporter.city", ""),
        country=form.country.data if is_country(form.country.data or "") else "",
        language=form.language.data,
        variant=form.variant.data or "",
        personal_message=(form.personal_message.data or "").strip(),
        street_address=(form.street_address.data or "").strip(),
        edited_body=form.body.data,
        target_ids=list(form.targets.data or []),
        seed=form.client_key.data or "",
    )


def _coaching(action: Action, form: ComposeForm) -> Coaching | None:
    """Coach the letter as posted: its share of own words and wording that could harm it."""
    return coach_composer(
        action,
        form.variant.data or "",
        form.language.data,
        form.body.data,
        (form.personal_message.data or "").strip(),
    )


def _compose_page(action: Action, form: ComposeForm, status: int = 200, message: str = ""):
    state = action_state(action, utcnow())
    details = _details(form, action, draft=True)
    return (
        render_template(
            "public/compose.html",
            action=action,
            texts=case_texts(action, interface_language()),
            state=state,
            form=form,
            message=message,
            letters=write_letters(action, details, utcnow().date()) if details.country else [],
            editable=editable_texts(action),
            locked={m.variant for m in action.model_letters if m.locked},
            embassy=embassy_for(action, details.country),
            unreached=edits_not_reaching(action, details),
            coaching=_coaching(action, form),
        ),
        status,
    )


def _closed_page(action: Action, form: ComposeForm | None = None):
    """Answer 410 with the action's outcome, and what the supporter typed for them to copy."""
    state = action_state(action, utcnow())
    texts = case_texts(action, interface_language())
    page = render_template("public/closed.html", action=action, texts=texts, state=state, form=form)
    return page, 410


def cached_action_or_404(slug: str) -> CachedAction:
    """Return a published action from the process's action cache, or answer 404."""
    # The driver-level read the page cache uses: no ORM, and no transaction to end before
    # sending takes the write lock.
    version = action_page_versions(current_app).get(slug)
    if version is None:
        abort(404)
    return app_state().action_cache.get(version)


@bp.route("/actions/<slug>/write", methods=["GET", "POST"])
@composer_limits
def compose(slug: str):
    """Write a letter: the composer, its preview, and sending it through a channel."""
    cached = cached_action_or_404(slug)
    action = cached.action
    form = ComposeForm()
    if not action_state(action, utcnow()).accepting:
        return _closed_page(action, form if request.method == "POST" else None)
    choices = _prepare(form, cached)
    if request.method == "GET":
        _fill_defaults(form, action)
    _stamp(form)
    form.body.data = current_body(action, form.variant.data, form.language.data, form.body.data)
    if request.method == "GET" or request.form.get("step") == "edit":
        return _compose_page(action, form)
    if not form.validate():
        return _compose_page(action, form, 422)
    details = _details(form, action)
    if not form.channel.data:
        return _preview_page(action, form, details)
    if return_address_problem(form, form.channel.data):
        # Refused where printing is chosen; every other channel stays open, nothing is lost.
        return _preview_page(action, form, details, status=422)
    if not officials_within_budget(details.target_ids):
        abort(429)
    return _send(action, form, details, choices.consent_label)


@keeps_typed("public.compose")
def compose_again(status: int, message: str):
    """Show the composer (after a send: the preview) again with all that was posted, and why."""
    version = action_page_versions(current_app).get((request.view_args or {}).get("slug", ""))
    if version is None:
        return None
    cached = app_state().action_cache.get(version)
    action = cached.action
    form = ComposeForm()
    if not action_state(action, utcnow()).accepting:
        return _closed_page(action, form)
    _prepare(form, cached)
    _stamp(form)
    form.body.data = current_body(action, form.variant.data, form.language.data, form.body.data)
    details = _details(form, action)
    if is_send() and details.country and details.target_ids:
        return _preview_page(action, form, details, status=status, message=message)
    return _compose_page(action, form, status, message)


def _preview_page(
    action: Action,
    form: ComposeForm,
    details: SupporterDetails,
    problem: str = "",
    status: int = 200,
    message: str = "",
):
    letters = write_letters(action, details, utcnow().date())
    state = action_state(action, utcnow())
    # For the notes only: the address as the one rule keys it, whether or not the form passed.
    email = email_lookup_key(form.email.data or "")
    return (
        render_template(
            "public/preview.html",
            action=action,
            texts=case_texts(action, interface_language()),
            form=form,
            letters=letters,
            state=state,
            email_notes=email_notes(action, [letter.target for letter in letters], email),
            email_problem=problem,
            print_problem=return_address_problem(form, Channel.PRINT),
            message=message,
            coaching=_coaching(action, form),
        ),
        status,
    )


def _new_submission(
    action: Action, form: ComposeForm, details: SupporterDetails, consent_text: str
) -> NewSubmission:
    """Return what the supporter sends, as the form has it."""
    return NewSubmission(
        details=details,
        channel=Channel(form.channel.data),
        client_key=form.client_key.data,
        consent_text=consent_text,
        # Validated: the form's EmailAddress() has put it in normalise_email's one form.
        email=form.email.data or None,
        consent_updates=bool(form.consent_updates.data),
        paper=form.paper.data or "",
        # Recorded once per submission: the share only (the tone notes are for the pages).
        own_share=composer_share(
            action,
            form.variant.data or "",
            form.language.data,
            form.body.data,
            details.personal_message,
        ),
    )


def _send(action: Action, form: ComposeForm, details: SupporterDetails, consent_text: str):
    """Record the letters in one short write transaction and go to the thank-you page."""
    config = current_app.config
    now = utcnow()
    if antibot.looks_like_bot(
        config["SECRET_KEY"], form.started.data, form.website.data, now, config["MIN_FILL_SECONDS"]
    ):
        # Quietly: a bot learns nothing, and nothing is recorded or counted.
        return render_template("public/received.html", action=action)
    new = _new_submission(action, form, details, consent_text)
    if new.channel == Channel.EMAIL and not config["MAIL_FROM"]:
        return _preview_page(action, form, details, "unavailable", 422)
    # Written before the write lock is taken: concurrent senders wait only for the inserts.
    written = write_letters(action, details, now.date(), translations=False)
    try:
        # Recording reads first (an earlier post of this composer, the address's earlier
        # letters) and then writes: take the write lock before the first read.
        with write_transaction():
            recorded = record_letters(action, new, written, now)
            if new.channel == Channel.EMAIL:
                # In the same transaction: the letters and their first email, or neither.
                start_email_delivery(
                    db.session.get_one(Submission, recorded.id),
                    mail_settings(config),
                    now,
                    int(config["CONFIRM_DAYS"]),
                )
    except ActionClosedError:
        return _closed_page(action, form)
    except AlreadyWrittenError:
        return _preview_page(action, form, details, "already", 409)
    except NoEmailAddressError:
        return _preview_page(action, form, details, "no_address", 422)
    except NoRecipientsError:
        form.targets.errors = [_("Please choose at least one recipient.")]
        return _compose_page(action, form, 422)
    except IntegrityError:
        # The same composer was sent twice at once, or another submission from this address
        # reached the same targets first: the other one won (write_transaction rolled back).
        existing = recorded_by_client_key(action.id, new.client_key)
        if existing is None:
            if new.channel == Channel.EMAIL:
                return _preview_page(action, form, details, "already", 409)
            raise
        return redirect(
            url_for("public.thanks", slug=action.slug, token=existing.public_token), 303
        )
    return redirect(url_for("public.thanks", slug=action.slug, token=recorded.public_token), 303)


@bp.post("/actions/<slug>/preview")
def live_preview(slug: str):
    """Return the letter preview as an HTML fragment, for the composer's live preview."""
    cached = cached_action_or_404(slug)
    action = cached.action
    form = ComposeForm()
    _prepare(form, cached)
    form.body.data = current_body(action, form.variant.data, form.language.data, form.body.data)
    details = _details(form, action, draft=True)
    letters = write_letters(action, details, utcnow().date()) if details.country else []
    return render_template(
        "public/_live_preview.html",
        letters=letters,
        action=action,
        embassy=embassy_for(action, details.country),
        unreached=edits_not_reaching(action, details),
        coaching=_coaching(action, form),
    )
