"""Letter downloads, "I posted it", and the letter-writing event pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from actionapp.campaigns.actions import (
    FollowUp,
    action_state,
    letter_languages,
    submission_follow_up,
    variants,
)
from actionapp.campaigns.case_texts import case_texts
from actionapp.campaigns.lookups import published_or_404
from actionapp.database import write_transaction
from actionapp.events.forms import EventPackForm, EventReportForm, report_form_class
from actionapp.events.reports import EventReportError, NewEventReport, record_event_report
from actionapp.extensions import db, limiter
from actionapp.letters import antibot
from actionapp.letters.forms import choices_of
from actionapp.letters.record import mark_printed, move_letters, submission_by_token
from actionapp.models import Action, Channel, LetterStatus, Submission, utcnow
from actionapp.printing.pdf import (
    CJK_MISSING_MESSAGE,
    ENVELOPES,
    EVENT_PACK_MAX,
    PAPERS,
    DocumentTooLargeError,
    EventPack,
    LetterOptions,
    PrintSettings,
    RenderedPdf,
    RenderTimeoutError,
    cjk_font_available,
    envelopes_pdf,
    event_pack_pdf,
    letters_pdf,
)
from actionapp.printing.pdf.scripts import language_direction, text_direction
from actionapp.printing.posted_codes import code_matches, posted_code, read_posted_code
from actionapp.web.errors import too_late_page
from actionapp.web.i18n import country_choices, interface_language, language_label
from actionapp.web.links import public_url_for

bp = Blueprint("print", __name__)


@bp.record_once
def _warn_about_fonts(state) -> None:
    """Say at start-up when Chinese letters cannot be printed properly."""
    if not cjk_font_available():
        state.app.logger.warning(CJK_MISSING_MESSAGE)


# Presentation only, so template filters: a direction for `dir` from the text or language in
# hand (the PDF templates and the preview), read from nothing else.
@bp.app_template_filter("textdir")
def textdir(text: str) -> str:
    """Return a text's direction for `dir`: "rtl", "ltr", or "auto" when it has no letters."""
    return text_direction(text or "") or "auto"


@bp.app_template_filter("langdir")
def langdir(language: str) -> str:
    """Return the direction a language is written in, for `dir` ("rtl" or "ltr")."""
    return language_direction(language or "en")


def _pdf_limit() -> str:
    return current_app.config["PDF_RATE_LIMIT"]


def _report_limit() -> str:
    return current_app.config["EVENT_REPORT_RATE_LIMIT"]


def _settings() -> PrintSettings:
    return PrintSettings.from_config(current_app.config, current_app.static_folder)


def _submission_or_404(slug: str, token: str) -> Submission:
    action = published_or_404(slug)
    submission = submission_by_token(token)
    # `is`: the relationship comes from the session's identity map while `action` is held,
    # without loading the action (and its texts) again.
    if submission is None or submission.action is not action:
        abort(404)
    if submission.personal_data_removed_at is not None:
        abort(410)
    return submission


def _pdf_response(pdf: RenderedPdf, filename: str, private: bool = True) -> Response:
    response = Response(pdf.data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Letters carry names and addresses: no shared cache may keep them.
    response.headers["Cache-Control"] = "no-store" if private else "public, max-age=3600"
    return response


# Seconds a client is asked to wait after a 503 (renders were busy or stopped at their limit).
RETRY_AFTER = "30"


def _render_or_503(render, *args, page=None):
    """Render, or answer 503 when it took too long: `page(message)` shows what was chosen."""
    try:
        return render(*args)
    except RenderTimeoutError:
        current_app.logger.warning("PDF render stopped at its time limit: %s", request.path)
        message = _(
            "Preparing the PDF took too long: many PDFs are being prepared at this moment. "
            "Please try again in a minute."
        )
        if page is not None:
            response = make_response(page(message))
        else:
            error = render_template("errors/error.html", code=503, message=message)
            response = make_response(error, 503)
        response.headers["Retry-After"] = RETRY_AFTER
        response.headers["Cache-Control"] = "no-store"
        abort(response)
    except DocumentTooLargeError:
        abort(413)


def posted_url(slug: str, token: str) -> str:
    """Return the public address of a submission's "I posted it" page."""
    return public_url_for("print.posted_page", slug=slug, token=token)


def _posted_code(submission: Submission) -> str:
    return posted_code(current_app.config["SECRET_KEY"], submission.id, submission.public_token)


def posted_short_url(code: str) -> str:
    """Return the short public address that leads to an "I posted it" page (print and QR)."""
    return public_url_for("print.posted_short", code=code)


def _posted_code_limit() -> str:
    return current_app.config["POSTED_CODE_RATE_LIMIT"]


@bp.get("/p/<code>")
@limiter.limit(_posted_code_limit)
def posted_short(code: str):
    """Lead a phone from the code printed on the guide page to the "I posted it" page."""
    found = read_posted_code(code)
    submission = db.session.get(Submission, found[0]) if found else None
    if submission is None or not code_matches(
        current_app.config["SECRET_KEY"], submission.id, submission.public_token, found[1]
    ):
        abort(404)
    target = url_for(
        "print.posted_page", slug=submission.action.slug, token=submission.public_token
    )
    return redirect(target, 303)


@bp.get("/actions/<slug>/print/<token>/letters.pdf")
@limiter.limit(_pdf_limit)
def letters_download(slug: str, token: str):
    """Download the supporter's letters as one PDF, ready to sign, fold and post."""
    submission = _submission_or_404(slug, token)
    paper = request.args.get("paper")
    options = LetterOptions(
        paper=paper if paper in PAPERS else None,
        translation=request.args.get("translation") == "1",
        guide=request.args.get("guide") != "0",
        posted_code=_posted_code(submission) if submission.channel == Channel.PRINT else None,
    )
    if options.posted_code:
        options = replace(options, posted_url=posted_short_url(options.posted_code))
    now = utcnow()
    pdf = _render_or_503(letters_pdf, submission, _settings(), options, now)
    if any(letter.status == LetterStatus.TO_PRINT for letter in submission.letters):
        # Printed letters count from their first download (README, "Counting").
        with write_transaction():
            locked = submission_by_token(token, for_update=True)
            mark_printed(locked, now)
    return _pdf_response(pdf, f"appeal-{slug}-{now.date().isoformat()}.pdf")


@bp.get("/actions/<slug>/print/<token>/envelopes.pdf")
@limiter.limit(_pdf_limit)
def envelopes_download(slug: str, token: str):
    """Download one addressed envelope per letter (DL, C5 or #10)."""
    submission = _submission_or_404(slug, token)
    size = request.args.get("size", "dl")
    if size not in ENVELOPES:
        abort(404)
    now = utcnow()
    pdf = _render_or_503(envelopes_pdf, submission, _settings(), size, now)
    return _pdf_response(pdf, f"envelopes-{slug}-{now.date().isoformat()}.pdf")


def _print_letters(submission: Submission):
    return [letter for letter in submission.letters if letter.channel == Channel.PRINT]


@bp.get("/actions/<slug>/posted/<token>")
def posted_page(slug: str, token: str):
    """Show the "I posted it" confirmation; only its button (a POST) records anything."""
    submission = _submission_or_404(slug, token)
    letters = _print_letters(submission)
    if not letters:
        abort(404)
    response = Response(
        render_template(
            "print/posted.html",
            action=submission.action,
            texts=case_texts(submission.action, interface_language()),
            submission=submission,
            letters=letters,
            posted=all(letter.status == LetterStatus.POSTED for letter in letters),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/actions/<slug>/posted/<token>")
def posted(slug: str, token: str):
    """Record that the supporter posted their printed letters."""
    action = published_or_404(slug)
    days = int(current_app.config["CONFIRM_DAYS"])
    with write_transaction():
        submission = submission_by_token(token, for_update=True)
        if submission is None or submission.action_id != action.id:
            abort(404)
        follow_up = submission_follow_up(submission, utcnow(), timedelta(days=days))
        if follow_up != FollowUp.OPEN:
            return too_late_page(follow_up.value, days)
        move_letters(submission, _print_letters(submission), LetterStatus.POSTED, utcnow())
    # To the confirmation, at the top of the thank-you page (app.js also focuses it).
    return redirect(url_for("public.thanks", slug=slug, token=token, _anchor="posted"), 303)


# --- letter-writing events ------------------------------------------------------------------


def _prepare_pack_form(form: EventPackForm, action: Action) -> None:
    languages = letter_languages(action)
    form.language.choices = choices_of(
        [("", _("Each recipient's own language")),
         *((code, language_label(code)) for code in languages)]
    )  # fmt: skip
    if form.language.data not in languages:
        form.language.data = ""
    offered = variants(action, form.language.data or action.language)
    form.variant.choices = choices_of((m.variant, m.label) for m in offered)
    if form.variant.data not in {m.variant for m in offered} and offered:
        form.variant.data = offered[0].variant
    form.targets.choices = choices_of((t.id, t.label) for t in action.targets)


def _event_page(action: Action, form: EventPackForm, status: int = 200, message: str = ""):
    state = action_state(action, utcnow())
    texts = case_texts(action, interface_language())
    page = render_template(
        "print/event.html", action=action, texts=texts, form=form, state=state, message=message
    )
    return page, status


def _event_report_page(action: Action, form) -> str:
    texts = case_texts(action, interface_language())
    return render_template("print/event_report.html", action=action, texts=texts, form=form)


@bp.get("/actions/<slug>/event")
def event_page(slug: str):
    """Explain how to host a letter-writing event and offer the printable pack."""
    action = published_or_404(slug)
    form = EventPackForm(formdata=None)
    _prepare_pack_form(form, action)
    form.targets.data = [t.id for t in action.targets if t.kind == "primary"]
    return _event_page(action, form)


def _pack_pages_limit() -> str:
    return current_app.config["PACK_PAGES_RATE_LIMIT"]


def _pack_pages() -> int:
    """Return the letters (pages) a pack request asks for: packs are limited by their size."""
    try:
        copies = int(request.args.get("copies", "1"))
    except ValueError:
        copies = 1
    targets = len(request.args.getlist("targets"))
    return min(max(copies * max(targets, 1), 1), EVENT_PACK_MAX)


@bp.get("/actions/<slug>/event/pack.pdf")
@limiter.limit(_pdf_limit)
@limiter.limit(_pack_pages_limit, cost=_pack_pages)
def event_pack(slug: str):
    """Download an event pack: letters with blank lines, and an envelope sheet."""
    action = published_or_404(slug)
    form = EventPackForm(formdata=request.args)
    _prepare_pack_form(form, action)
    if not form.validate():
        return _event_page(action, form, 422)
    pack = EventPack(
        language=form.language.data,
        variant=form.variant.data,
        paper=form.paper.data,
        target_ids=list(form.targets.data),
        copies=form.copies.data,
    )
    now = utcnow()
    pdf = _render_or_503(
        event_pack_pdf, action, _settings(), pack, now,
        page=lambda message: _event_page(action, form, 503, message),
    )  # fmt: skip
    return _pdf_response(pdf, f"event-pack-{slug}-{now.date().isoformat()}.pdf", private=False)


def _report_form(action: Action) -> EventReportForm:
    form = report_form_class(list(action.targets))()
    form.country.choices = choices_of(
        [("", _("Choose a country")), *country_choices(interface_language())]
    )
    if not form.started.data:
        form.started.data = antibot.start_token(current_app.config["SECRET_KEY"], utcnow())
    return form


@bp.route("/actions/<slug>/event/report", methods=["GET", "POST"])
@limiter.limit(_report_limit, methods=["POST"])
def event_report(slug: str):
    """Let a host report the letters written at their event, for the organisers to review."""
    action = published_or_404(slug)
    form = _report_form(action)
    if request.method == "GET" or not form.validate():
        status = 422 if request.method == "POST" else 200
        return _event_report_page(action, form), status
    config = current_app.config
    now = utcnow()
    if antibot.looks_like_bot(
        config["SECRET_KEY"], form.started.data, form.website.data, now, config["MIN_FILL_SECONDS"]
    ):
        return redirect(url_for("print.event_reported", slug=slug), 303)
    new = NewEventReport(
        held_on=form.held_on.data,
        city=form.city.data.strip(),
        country=form.country.data or "",
        host_name=form.host_name.data.strip(),
        host_contact=form.host_contact.data.strip(),
        note=(form.note.data or "").strip(),
        letters_by_target=form.letters_by_target(),
        cards=form.cards.data or 0,
    )
    try:
        with write_transaction():
            record_event_report(action, new, now)
    except EventReportError as error:
        form.show_report_error(error)
        return _event_report_page(action, form), 422
    return redirect(url_for("print.event_reported", slug=slug), 303)


@bp.get("/actions/<slug>/event/report/thanks")
def event_reported(slug: str):
    """Thank the host; their letters count once the organisers have checked the report."""
    action = published_or_404(slug)
    texts = case_texts(action, interface_language())
    return render_template("print/event_reported.html", action=action, texts=texts)
