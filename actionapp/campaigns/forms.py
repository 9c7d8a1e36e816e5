"""Organiser forms; choices that depend on the interface language are set by the views."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from actionapp.campaigns.case_texts import TEXT_LABELS
from actionapp.campaigns.outcomes import OUTCOME_LABELS, OUTCOMES
from actionapp.letters.forms import single_line
from actionapp.web.forms import AddressField, AppForm, EmailAddress
from actionapp.web.i18n import is_language

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SUBJECTS_MAX = 10


def strip(value):
    """Drop the spaces people paste around addresses."""
    return value.strip() if isinstance(value, str) else value


def real_language(form, field) -> None:
    """Refuse a code that is no real language (xx), by the rule targets follow too."""
    if field.data and not is_language(field.data):
        raise ValidationError(_l("Use a language code such as en, zh or pt-BR."))


def _language_field(label) -> StringField:
    return StringField(
        label,
        validators=[DataRequired(), real_language],
        description=_l("A language code such as en, zh or pt-BR."),
    )


# Limits of each case text, in the action form and the forms for other languages alike.
TEXT_MAX = {
    "title": 200,
    "summary": 2000,
    "what_we_ask": 10_000,
    "background": 30_000,
    "share_text": 500,
    "body": 10_000,
}


def _case_text(name: str, required: bool = False, **kwargs):
    validators = [DataRequired() if required else Optional(), Length(max=TEXT_MAX[name])]
    if name == "title":
        return StringField(TEXT_LABELS[name], validators=[*validators, single_line], **kwargs)
    return TextAreaField(TEXT_LABELS[name], validators=validators, **kwargs)


SHARE_TEXT_HINT = _l(
    "What supporters post when they share the action (the link is added). Empty: a sentence "
    "of ours with the title."
)


class ActionForm(AppForm):
    """An action's settings and its texts in its own language."""

    title = _case_text("title", required=True)
    slug = StringField(
        _l("Web address (slug)"),
        validators=[
            DataRequired(),
            Length(max=120),
            Regexp(SLUG_PATTERN, message=_l("Use lower-case letters, digits and hyphens.")),
        ],
        description=_l("The action's page is /actions/<slug>. Lower-case letters, digits, -."),
    )
    ua_number = StringField(_l("UA number"), validators=[Length(max=60), single_line])
    summary = _case_text("summary", required=True)
    what_we_ask = _case_text("what_we_ask", required=True)
    background = _case_text("background")
    share_text = _case_text("share_text", description=SHARE_TEXT_HINT)
    image_alt = StringField(
        _l("Image description (alt text)"), validators=[Length(max=300), single_line]
    )
    language = _language_field(_l("Language of the action"))
    target_country = SelectField(_l("Country of the authorities"), validators=[Optional()])
    goal = IntegerField(
        _l("Goal (letters)"), validators=[InputRequired(), NumberRange(min=1, max=100_000_000)]
    )
    deadline = DateTimeLocalField(
        _l("Deadline (UTC)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    post_days = IntegerField(
        _l("Days a posted letter needs"), validators=[InputRequired(), NumberRange(min=0, max=90)]
    )
    require_email_confirmation = BooleanField(_l("Supporters confirm their email first"))
    mail_rate_per_hour = IntegerField(
        _l("Emails per target per hour"),
        validators=[InputRequired(), NumberRange(min=1, max=10_000)],
    )
    retention_days = IntegerField(
        _l("Keep supporters' personal data for (days after closing)"),
        validators=[InputRequired(), NumberRange(min=0, max=3650)],
    )
    reply_question_days = IntegerField(
        _l("Ask supporters whether an official replied (days after their letters; 0: never)"),
        validators=[Optional(), NumberRange(min=0, max=365)],
        description=_l("Left empty: 14 days."),
    )
    show_reply_count = BooleanField(_l("Show on the action page how many reported a reply"))
    # Choices (the other actions) are set by the view; the rules are campaigns.follow_ups'.
    follows_id = SelectField(
        _l("Follows up on"),
        validators=[Optional()],
        description=_l(
            "The earlier action on the same case, if this one follows it up: this page then "
            "tells the case so far, and the earlier page links here."
        ),
    )


class ImageForm(AppForm):
    """An action image upload."""

    image = FileField(_l("Image (JPEG, PNG, WebP or GIF)"), validators=[FileRequired()])
    image_alt = StringField(
        _l("Image description (alt text)"),
        validators=[DataRequired(), Length(max=300), single_line],
    )


class TargetForm(AppForm):
    """One target or embassy copy."""

    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice("primary", _l("Target every supporter writes to")),
            SelectChoice("embassy", _l("Diplomatic copy for supporters in one country")),
        ],
        validators=[AnyOf(("primary", "embassy"))],
    )
    supporter_country = SelectField(_l("Supporters' country (diplomatic copies)"))
    # Lengths here set the inputs' limits; the rules themselves (one line, a real address...)
    # are services.target_checks.clean_target's, shared with the CSV import.
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    title = StringField(_l("Title"), validators=[Length(max=200)])
    organisation = StringField(_l("Organisation"), validators=[Length(max=200)])
    address_lines = TextAreaField(
        _l("Postal address"),
        validators=[Length(max=1000)],
        description=_l("One line per address line."),
    )
    country = SelectField(_l("Country of the address"), validators=[Optional()])
    email = AddressField(
        _l("Email"),
        validators=[Optional(), Length(max=254)],
    )
    language = _language_field(_l("Preferred language of the target"))
    salutations = TextAreaField(
        _l("Salutations"),
        validators=[Length(max=2000)],
        description=_l("One per line, as language: salutation, e.g. “en: Dear President,”."),
    )
    why = TextAreaField(_l("Why write to them"), validators=[Length(max=2000)])
    is_example = BooleanField(_l("Example address, not yet verified"))

    def validate_supporter_country(self, field) -> None:
        """Ask for the supporters' country when the target is a diplomatic copy."""
        if self.kind.data == "embassy" and not field.data:
            raise ValidationError(_l("Choose the country whose supporters get this copy."))


class EmbassyImportForm(AppForm):
    """A CSV file of diplomatic copies."""

    file = FileField(_l("CSV file"), validators=[FileRequired()])


class ModelLetterForm(AppForm):
    """One language version of a model letter."""

    variant = StringField(
        _l("Letter key"),
        validators=[
            DataRequired(),
            Length(max=60),
            Regexp(SLUG_PATTERN, message=_l("Use lower-case letters, digits and hyphens.")),
        ],
        description=_l("Versions of one letter in several languages share this key."),
    )
    language = _language_field(_l("Language"))
    label = StringField(
        _l("Name shown to supporters"), validators=[DataRequired(), Length(max=200), single_line]
    )
    locked = BooleanField(_l("Locked: supporters cannot edit the text"))
    subjects = TextAreaField(
        _l("Subject lines"),
        validators=[DataRequired(), Length(max=3000)],
        description=_l("One per line; each letter gets one of them."),
    )
    closing = StringField(_l("Closing"), validators=[Length(max=200)])
    body = TextAreaField(_l("Letter text"), validators=[DataRequired(), Length(max=20_000)])

    def validate_subjects(self, field) -> None:
        """Allow at most a few subject lines, each short enough for an email header."""
        lines = subject_lines(field.data)
        if len(lines) > SUBJECTS_MAX:
            raise ValidationError(_l("At most %(n)d subject lines.", n=SUBJECTS_MAX))
        if any(len(line) > 300 or "=?" in line for line in lines):
            raise ValidationError(_l("Each subject line: at most 300 characters, without =?"))


def subject_lines(text: str | None) -> list[str]:
    """Split the subject field into its non-empty lines."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class UpdateForm(AppForm):
    """News on the case or its outcome."""

    outcome = SelectField(
        _l("Outcome"),
        choices=[
            SelectChoice("", _l("None: this is news")),
            *(SelectChoice(word, label) for word, label in OUTCOME_LABELS.items()),
        ],
        validators=[Optional(), AnyOf(OUTCOMES)],
        description=_l("An outcome replaces the letter composer on the action page."),
    )
    title = _case_text("title", required=True)
    body = _case_text("body")
    published_on = DateField(_l("Date"), validators=[Optional()])
    # Choices (the actions that follow this one) are set by the view.
    follow_up_id = SelectField(
        _l("Invite to a follow-up action"),
        validators=[Optional()],
        description=_l(
            "The update (on the page and in its email) then asks readers to write again, "
            "once that action is published."
        ),
    )


class ActionTextsForm(AppForm):
    """An action's texts in one more language; any may stay empty (it then falls back)."""

    title = _case_text("title")
    summary = _case_text("summary")
    what_we_ask = _case_text("what_we_ask")
    background = _case_text("background")
    share_text = _case_text("share_text", description=SHARE_TEXT_HINT)


class UpdateTextsForm(AppForm):
    """An update's title and text in one language."""

    title = _case_text("title")
    body = _case_text("body")


class ConfirmForm(AppForm):
    """Confirm a destructive step by typing the action's slug."""

    confirm = StringField(_l("Type the action's web address (slug) to confirm"))


class ReviewForm(AppForm):
    """Approve or reject an event report."""

    decision = HiddenField(validators=[AnyOf(("approve", "reject"))])


class StatsFilterForm(AppForm):
    """The statistics date range (a GET form)."""

    class Meta:
        csrf = False

    start = DateField(_l("First day"), validators=[Optional()])
    end = DateField(_l("Last day"), validators=[Optional()])


class PersonalExportForm(AppForm):
    """An admin's explicit request for letters with personal data."""

    reason = TextAreaField(
        _l("Why personal data is needed"),
        validators=[DataRequired(), Length(min=10, max=1000)],
        description=_l("Recorded in the export log."),
    )
    confirm = BooleanField(
        _l("I will keep this file safe and delete it when it is no longer needed."),
        validators=[DataRequired()],
    )


class EmailLookupForm(AppForm):
    """A supporter's email address, for access and erasure requests."""

    email = AddressField(
        _l("Supporter's email address"),
        filters=[strip],
        validators=[DataRequired(), Length(max=254), EmailAddress()],
    )


class EraseForm(EmailLookupForm):
    """Confirm erasing a supporter's personal data."""

    confirm = BooleanField(
        _l("Remove this person's personal data now; their letters stay counted."),
        validators=[DataRequired()],
    )


class NewOrganiserForm(AppForm):
    """An admin adds an organiser."""

    email = AddressField(
        _l("Email"),
        filters=[strip],
        validators=[DataRequired(), Length(max=254), EmailAddress()],
    )
    role = SelectField(_l("Role"), validators=[AnyOf(("viewer", "editor", "admin"))])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])
    password_again = PasswordField(
        _l("Password again"), validators=[EqualTo("password", _l("The passwords differ."))]
    )


class OrganiserAccessForm(AppForm):
    """An admin changes an organiser's role or deactivates them."""

    role = SelectField(_l("Role"), validators=[AnyOf(("viewer", "editor", "admin"))])
    active = BooleanField(_l("Active"))


COACHING_PHRASES_MAX = 100


def phrase_lines(text: str | None) -> list[str]:
    """Return the phrases of a text area, one a line, without blanks or repeats (any case)."""
    seen: dict[str, str] = {}
    for line in (text or "").splitlines():
        phrase = " ".join(line.split())
        if phrase and phrase.casefold() not in seen:
            seen[phrase.casefold()] = phrase
    return list(seen.values())


def _phrases_field(label):
    return TextAreaField(label, validators=[Optional(), Length(max=5000), _few_phrases])


def _few_phrases(form, field) -> None:
    if len(phrase_lines(field.data)) > COACHING_PHRASES_MAX:
        raise ValidationError(_l("At most %(num)d phrases, please.", num=COACHING_PHRASES_MAX))


class CoachingWordsForm(AppForm):
    """An action's own additions to the coaching word lists, one phrase a line per kind."""

    insult = _phrases_field(_l("Insults"))
    threat = _phrases_field(_l("Threats"))
    slogan = _phrases_field(_l("Political slogans"))
