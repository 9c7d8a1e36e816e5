"""Forms for event packs and event reports."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from actionapp.events.reports import REPORT_MAX_LETTERS, EventReportError
from actionapp.letters.forms import PAPER_LABELS, MultiCheckboxField, at_least_one, single_line
from actionapp.models import Target
from actionapp.printing.pdf import EVENT_PACK_MAX
from actionapp.web.forms import AppForm
from actionapp.web.i18n import format_number

NOTE_MAX = 1000


class EventPackForm(AppForm):
    """What goes into an event pack; sent by GET, as it changes nothing."""

    class Meta:
        csrf = False

    # "" (the default): each recipient's own language, as single letters have it.
    language = SelectField(_l("Language of the letters"), validators=[Optional()])
    variant = SelectField(_l("Model letter"), validators=[DataRequired()])
    paper = SelectField(
        _l("Paper size"),
        choices=[SelectChoice(name, label) for name, label in PAPER_LABELS.items()],
        validators=[AnyOf(tuple(PAPER_LABELS))],
    )
    targets = MultiCheckboxField(_l("Letters to"), coerce=int, validators=[at_least_one])
    copies = IntegerField(
        _l("Letters to each recipient"),
        default=20,
        validators=[InputRequired(), NumberRange(min=1, max=EVENT_PACK_MAX)],
        description=_l("At most %(max)d letters in one pack.", max=EVENT_PACK_MAX),
    )

    def validate(self, extra_validators=None) -> bool:
        """Validate the fields, then keep the whole pack within the limit."""
        valid = super().validate(extra_validators)
        if valid and self.copies.data * len(self.targets.data) > EVENT_PACK_MAX:
            self.copies.errors = [
                *self.copies.errors,
                _l("A pack holds at most %(max)d letters in all.", max=EVENT_PACK_MAX),
            ]
            valid = False
        return valid


class EventReportForm(AppForm):
    """A host's report after an event; one count field per target is added per action."""

    held_on = DateField(_l("Date of the event"), validators=[InputRequired()])
    # Counted apart from letters: messages to the person or their family, never to officials.
    cards = IntegerField(
        _l("Solidarity cards to the person or their family"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=5000)],
        description=_l("Cards of support written at the event, counted apart from letters."),
    )
    city = StringField(
        _l("Town or city"), validators=[DataRequired(), Length(max=120), single_line]
    )
    country = SelectField(_l("Country"), validators=[Optional()])
    host_name = StringField(
        _l("Your name"), validators=[DataRequired(), Length(max=120), single_line]
    )
    host_contact = StringField(
        _l("Your email address or phone number"),
        validators=[DataRequired(), Length(max=254), single_line],
        description=_l("Only the organisers see it, to check the report with you."),
    )
    note = TextAreaField(
        _l("Anything we should know (optional)"), validators=[Optional(), Length(max=NOTE_MAX)]
    )
    consent = BooleanField(
        _l("The organisers may keep my name and contact to check this report."),
        validators=[DataRequired(_l("We can only record your report with your agreement."))],
    )
    started = HiddenField(validators=[Length(max=200)])
    # Honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Leave this field empty"), validators=[Length(max=200)])

    count_fields: list[tuple[Target, str]] = []

    def letters_by_target(self) -> dict[int, int]:
        """Return the reported letters per target id."""
        return {target.id: self[name].data or 0 for target, name in self.count_fields}

    def validate(self, extra_validators=None) -> bool:
        """Validate the fields, then ask for at least one letter."""
        valid = super().validate(extra_validators)
        if valid and sum(self.letters_by_target().values()) < 1:
            self.show_report_error(EventReportError("no_letters"))
            valid = False
        return valid

    def show_report_error(self, error: EventReportError) -> None:
        """Put the broken rule, in the interface language, beside the field it is about."""
        first_count = self[self.count_fields[0][1]] if self.count_fields else self.city
        if error.code == "future_date":
            field, message = self.held_on, _("Please check the date: it cannot be in the future.")
        elif error.code == "too_many_letters":
            field = first_count
            message = _(
                "One report counts at most %(maximum)s letters in all, and this one counts "
                "%(total)s. Please check the numbers, or report each event on its own.",
                maximum=format_number(error.values["maximum"]),
                total=format_number(error.values["total"]),
            )
        elif error.code == "too_many_cards":
            field = self.cards
            message = _(
                "One report counts at most %(maximum)s cards.",
                maximum=format_number(error.values["maximum"]),
            )
        elif error.code == "negative_letters":
            field, message = first_count, _("A number of letters cannot be below zero.")
        elif error.code == "unknown_target":
            field = first_count
            message = _("The officials of this action have changed: please check the numbers.")
        else:
            field, message = first_count, _("Please tell us how many letters you wrote.")
        field.errors = [*field.errors, message]


def report_form_class(targets: list[Target]) -> type[EventReportForm]:
    """Return a report form with a letter count field for each of the action's targets."""
    fields = {}
    names = []
    for target in targets:
        name = f"letters_{target.id}"
        fields[name] = IntegerField(
            target.organisation or target.name if target.kind == "embassy" else target.name,
            default=0,
            validators=[Optional(), NumberRange(min=0, max=REPORT_MAX_LETTERS)],
        )
        names.append((target, name))
    fields["count_fields"] = names
    return type("ActionEventReportForm", (EventReportForm,), fields)
