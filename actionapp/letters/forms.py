"""The letter composer."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from actionapp.email.messages import is_header_safe
from actionapp.models import ReplyAnswer
from actionapp.printing.pdf.checks import sender_problem
from actionapp.printing.pdf.fonts import undrawable
from actionapp.replies.reports import ANSWER_LABELS, NOTE_MAX, report_of
from actionapp.web.forms import AddressField, AppForm, EmailAddress
from actionapp.web.i18n import is_country

NAME_MAX = 120
CITY_MAX = 120
ADDRESS_MAX = 300
BODY_MAX = 6000
PERSONAL_MAX = 1500
PAPERS = ("", "a4", "letter")
# What each paper size is called wherever someone chooses one (composer, events, cards).
PAPER_LABELS = {"a4": _l("A4"), "letter": _l("US Letter")}
CHANNELS = ("email", "mailto", "print")


def single_line(form, field) -> None:
    """Refuse line breaks and encoded words: the value may end up in an email header."""
    # Every kind of line break and control character, not only CR and LF (CVE-2024-6923).
    if not is_header_safe(field.data or ""):
        raise ValidationError(_l("Please write this on one line, without the characters =?"))


def printable(form, field) -> None:
    """Refuse characters that no installed font can draw: they would print as empty boxes."""
    missing = undrawable(field.data or "")
    if missing:
        raise ValidationError(
            _l(
                "These characters cannot be printed on a letter: %(chars)s. Please leave them "
                "out or write them in another way.",
                chars=" ".join(missing),
            )
        )


def return_address_problem(form: ComposeForm, channel: str) -> str | None:
    """Return why the return address cannot go out through `channel`, or None.

    Only printed letters carry it (checks.sender_problem), measured as the letters lay it out,
    on every paper size and in every language the letters can be in (the country's name
    changes with the language). The composer asks at the preview, where the channel is chosen.
    """
    street = (form.street_address.data or "").strip()
    if not street:
        return None
    languages = [str(c[0]) for c in form.language.iter_choices()] if form.language.choices else []
    return sender_problem(
        form.name.data or "",
        street,
        form.city.data or "",
        form.country.data or "",
        languages,
        form.language.data or "en",
        channel,
    )


def choices_of(pairs) -> list[SelectChoice]:
    """Turn (value, label) pairs into WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def at_least_one(form, field) -> None:
    """Ask for at least one ticked box (without marking each box as required)."""
    if not field.data:
        raise ValidationError(_l("Please choose at least one recipient."))


class CountryField(SelectField):
    """A country select that checks the code against ISO 3166, not by walking its 250 options."""

    def pre_validate(self, form) -> None:
        """Accept any ISO 3166-1 alpha-2 code."""
        if not is_country(self.data or ""):
            raise ValidationError(self.gettext("Not a valid choice."))


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ComposeForm(AppForm):
    """Everything a supporter writes; choices are set by the view from the action."""

    name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(_l("Please give your name.")),
            Length(max=NAME_MAX),
            single_line,
            printable,
        ],
    )
    email = AddressField(
        _l("Your email address"),
        validators=[
            Optional(),
            Length(max=254),
            # The one normal form (IDNA2008 domain); no non-ASCII before the @, no DNS.
            EmailAddress(),
            single_line,
        ],
        description=_l("Needed to send by email; optional for printed letters."),
    )
    street_address = TextAreaField(
        _l("Street address (optional)"),
        validators=[Optional(), Length(max=ADDRESS_MAX), printable],
        description=_l("Printed as the return address on posted letters."),
    )
    city = StringField(
        _l("Town or city"),
        validators=[DataRequired(_l("Please give your town or city.")), Length(max=CITY_MAX),
                    single_line, printable],
    )  # fmt: skip
    country = CountryField(
        _l("Country"), validators=[DataRequired(_l("Please choose your country."))]
    )
    language = SelectField(_l("Language you write in"), validators=[DataRequired()])
    targets = MultiCheckboxField(
        _l("Write to"),
        coerce=int,
        validators=[at_least_one],
    )
    variant = RadioField(_l("Model letter"), validators=[InputRequired()])
    body = TextAreaField(
        _l("Letter text"), validators=[Optional(), Length(max=BODY_MAX), printable]
    )
    personal_message = TextAreaField(
        _l("Your personal paragraph (optional)"),
        validators=[Optional(), Length(max=PERSONAL_MAX), printable],
        description=_l("A few sentences in your own words: who you are and why you care."),
    )
    paper = SelectField(
        _l("Paper size for printing"),
        choices=[
            SelectChoice("", _l("Automatic, from my country")),
            *(SelectChoice(name, label) for name, label in PAPER_LABELS.items()),
        ],
        validators=[Optional(), AnyOf(PAPERS)],
    )
    consent_processing = BooleanField(
        _l("I agree"),
        validators=[DataRequired(_l("We can only send your letter with your agreement."))],
    )
    consent_updates = BooleanField(_l("Send me updates on this case by email (optional)."))
    client_key = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
    started = HiddenField(validators=[Length(max=200)])
    # Honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Leave this field empty"), validators=[Length(max=200)])
    channel = HiddenField(validators=[Optional(), AnyOf(CHANNELS)])

    def validate(self, extra_validators=None) -> bool:
        """Validate the fields, then ask for an address when the letter goes by email."""
        valid = super().validate(extra_validators)
        if self.channel.data == "email" and not (self.email.data or "").strip():
            self.email.errors = [
                *self.email.errors,
                _l("Please give your email address to send by email."),
            ]
            valid = False
        return valid

    # Fields carried through the preview as hidden inputs.
    CARRIED = (
        "name", "email", "street_address", "city", "country", "language", "targets", "variant",
        "body", "personal_message", "paper", "consent_processing", "consent_updates",
        "client_key", "started", "website",
    )  # fmt: skip


class ReplyForm(AppForm):
    """A supporter's report: did any official they wrote to reply, and a short note."""

    answer = RadioField(_l("Did any official reply to your letters?"), validators=[InputRequired()])
    note = TextAreaField(
        _l("A short note about the reply (optional)"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Only the organisers read this. Please leave out other people's details."),
    )


def reply_form(submission, chosen: str | None = None) -> ReplyForm:
    """Return the report form, the chosen answer (from the email's link) or the last one set."""
    form = ReplyForm()
    form.answer.choices = [(answer.value, label) for answer, label in ANSWER_LABELS.items()]
    form.note.validators[-1].max = NOTE_MAX
    if request.method == "GET":
        report = report_of(submission.id)
        if chosen in {a.value for a in ReplyAnswer}:
            form.answer.data = chosen
        elif report is not None and report.answer is not None:
            form.answer.data = report.answer.value
        if report is not None:
            form.note.data = report.note
    return form
