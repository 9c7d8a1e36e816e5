"""Writing a solidarity message: after an appeal (from the thank-you page) or on its own."""

from __future__ import annotations

import secrets

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from actionapp.campaigns.actions import action_state
from actionapp.campaigns.case_texts import case_texts
from actionapp.campaigns.lookups import published_or_404
from actionapp.database import write_transaction
from actionapp.letters import antibot
from actionapp.letters.forms import choices_of
from actionapp.letters.limits import check_limits, solidarity_limits
from actionapp.letters.record import submission_by_token
from actionapp.models import Action, SignAs, Submission, utcnow
from actionapp.solidarity.messages import (
    MessageRefusedError,
    MessagesClosedError,
    NewMessage,
    message_languages,
    messages_open,
    rules_for,
    settings_of,
    signature_for,
    submit_message,
)
from actionapp.solidarity.safety import (
    SafetyRules,
    first_name_of,
    message_problems,
    surname_of,
)
from actionapp.solidarity.supporter_forms import SolidarityForm
from actionapp.web.errors import keeps_typed
from actionapp.web.i18n import (
    country_choices,
    country_from_accept_language,
    country_name,
    interface_language,
    is_country,
)
from actionapp.web.public import bp


def _submission_or_404(action: Action, token: str | None) -> Submission | None:
    if token is None:
        return None
    submission = submission_by_token(token)
    if submission is None or submission.action_id != action.id:
        abort(404)
    return submission


def _open_action_or_404(slug: str) -> Action:
    """Return a published action whose organisers take solidarity messages, or answer 404."""
    action = published_or_404(slug)
    settings = settings_of(action)
    if settings is None or not settings.is_open:
        abort(404)
    return action


def _form(action: Action) -> SolidarityForm:
    form = SolidarityForm()
    ui = interface_language()
    form.language.choices = choices_of(
        (code, _language_label(code)) for code in message_languages(action)
    )
    form.country.choices = choices_of([("", _("Choose your country")), *country_choices(ui)])
    if form.language.data not in message_languages(action):
        languages = message_languages(action)
        form.language.data = ui if ui in languages else languages[0]
    if not form.started.data:
        form.started.data = antibot.start_token(current_app.config["SECRET_KEY"], utcnow())
    return form


def _language_label(code: str) -> str:
    from actionapp.web.i18n import language_name, native_language_name

    native, translated = native_language_name(code), language_name(code, interface_language())
    return native if native == translated else f"{native} ({translated})"


def _prefill(form: SolidarityForm, submission: Submission | None) -> None:
    """Fill a fresh form: from the appeal just written, else the visitor's country."""
    form.client_key.data = secrets.token_urlsafe(24)
    if submission is not None:
        form.first_name.data = first_name_of(submission.name)
        form.country.data = submission.country
        form.email.data = submission.email or ""
        if submission.language in message_languages(submission.action):
            form.language.data = submission.language
    else:
        guess = country_from_accept_language()
        form.country.data = guess if is_country(guess) else ""


def _rules(action: Action, submission: Submission | None) -> SafetyRules:
    organisation = current_app.config["ORGANISATION_NAME"]
    if submission is None:
        return rules_for(action, organisation)
    return rules_for(action, organisation, surname_of(submission.name), submission.city)


def _page(action, form, submission, findings=(), status=200, message=""):
    response = render_template(
        "public/solidarity.html",
        action=action,
        texts=case_texts(action, interface_language()),
        settings=settings_of(action),
        form=form,
        submission=submission,
        findings=list(findings),
        state=action_state(action, utcnow()),
        organisation=current_app.config["ORGANISATION_NAME"],
        message=message,
    )
    return response, status, {"Cache-Control": "no-store"}


@bp.route("/actions/<slug>/solidarity", methods=["GET", "POST"])
@bp.route("/actions/<slug>/thanks/<token>/solidarity", methods=["GET", "POST"])
@solidarity_limits
def solidarity(slug: str, token: str | None = None):
    """Write a short message of support to the person at risk or their family."""
    action = _open_action_or_404(slug)
    submission = _submission_or_404(action, token)
    form = _form(action)
    if request.method == "GET":
        _prefill(form, submission)
        return _page(action, form, submission)
    rules = _rules(action, submission)
    findings = message_problems(form.body.data or "", rules)
    if not form.validate() or findings:
        return _page(action, form, submission, findings, 422)
    config = current_app.config
    now = utcnow()
    if antibot.looks_like_bot(
        config["SECRET_KEY"], form.started.data, form.website.data, now, config["MIN_FILL_SECONDS"]
    ):
        return render_template("public/received.html", action=action)
    return _record(action, form, submission, rules)


def _record(action: Action, form: SolidarityForm, submission: Submission | None, rules):
    now = utcnow()
    sign_as = SignAs(form.sign_as.data)
    first_name = (form.first_name.data or "").strip()
    country = form.country.data if is_country(form.country.data or "") else ""
    with_language = form.language.data
    new = NewMessage(
        body=form.body.data,
        language=with_language,
        sign_as=sign_as,
        first_name=first_name,
        country=country,
        # Signed in the message's language: the card is read by its recipient.
        signature=signature_for(
            sign_as,
            first_name,
            country_name(country, with_language) if country else "",
            _anonymous(with_language),
        ),
        client_key=form.client_key.data or secrets.token_urlsafe(24),
        # Validated: the form's EmailAddress() has put it in normalise_email's one form.
        email=form.email.data or None,
        submission_id=submission.id if submission is not None else None,
    )
    try:
        with write_transaction():
            submit_message(action, new, rules, now)
    except MessagesClosedError:
        closed = _("This action no longer takes messages. Your text is below, ready to copy.")
        return _page(action, form, submission, status=410, message=closed)
    except MessageRefusedError as refused:
        return _page(action, form, submission, refused.findings, 422)
    except IntegrityError:
        pass  # the same form posted twice at once: the other post recorded it
    return redirect(url_for("public.solidarity_sent", slug=action.slug), 303)


def _anonymous(language: str) -> str:
    from flask_babel import force_locale

    with force_locale(language):
        return _("A friend")


@keeps_typed("public.solidarity")
def solidarity_again(status: int, message: str):
    """Show the message form again with all that was typed, and why it came back."""
    args = request.view_args or {}
    action = _open_action_or_404(args.get("slug", ""))
    submission = _submission_or_404(action, args.get("token"))
    return _page(action, _form(action), submission, status=status, message=message)


@bp.post("/actions/<slug>/solidarity/check")
@check_limits
def solidarity_check(slug: str):
    """Return the safety notes for the message as typed (the live check beside the field)."""
    action = _open_action_or_404(slug)
    token = request.form.get("after") or None
    submission = _submission_or_404(action, token) if token else None
    findings = message_problems(request.form.get("body") or "", _rules(action, submission))
    return render_template(
        "public/_solidarity_check.html",
        findings=findings,
        settings=settings_of(action),
        organisation=current_app.config["ORGANISATION_NAME"],
        length=len((request.form.get("body") or "").strip()),
    )


@bp.get("/actions/<slug>/solidarity/sent")
def solidarity_sent(slug: str):
    """Thank the writer: their message is read by the organisers before it goes anywhere."""
    action = _open_action_or_404(slug)
    return render_template(
        "public/solidarity_sent.html",
        action=action,
        texts=case_texts(action, interface_language()),
        settings=settings_of(action),
        open=messages_open(action, utcnow()),
    )
