"""Organiser forms for solidarity messages: the action's settings and the moderation queue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from actionapp.letters.forms import choices_of, single_line
from actionapp.models import Delivery, Recipient
from actionapp.solidarity.messages import AVOID_WORDS_MAX, MAX_CHARS, MIN_CHARS, REASON_MAX
from actionapp.web.forms import AppForm


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SolidaritySettingsForm(AppForm):
    """Whether an action takes solidarity messages, for whom, how, and the safety rules."""

    is_open = BooleanField(_l("Supporters can write solidarity messages"))
    recipient = RadioField(
        _l("Messages go to"),
        choices=choices_of(
            [
                (Recipient.PERSON.value, _l("The person at risk")),
                (Recipient.FAMILY.value, _l("Their family")),
            ]
        ),
        default=Recipient.PERSON.value,
        validators=[DataRequired()],
    )
    recipient_name = StringField(
        _l("Name on the cards"),
        validators=[Optional(), Length(max=200), single_line],
        description=_l("How cards address them, e.g. “Xueqin” or “the family of Wang Jianbing”."),
    )
    languages = _Checkboxes(_l("Languages messages can be written in"), validators=[DataRequired()])
    delivery = RadioField(
        _l("Delivery"),
        choices=choices_of(
            [
                (
                    Delivery.PRINTED.value,
                    _l("We collect the messages, print them as cards and deliver them"),
                ),
                (
                    Delivery.CARD.value,
                    _l("Supporters write a card themselves and post it to our address"),
                ),
            ]
        ),
        default=Delivery.PRINTED.value,
        validators=[DataRequired()],
    )
    postal_address = TextAreaField(
        _l("Address supporters post their cards to"),
        validators=[Length(max=500)],
        description=_l(
            "Needed when supporters post their own cards. Never the person's own address."
        ),
    )
    max_chars = IntegerField(
        _l("Length limit (characters)"),
        default=400,
        validators=[InputRequired(), NumberRange(min=MIN_CHARS, max=MAX_CHARS)],
    )
    no_organisation = BooleanField(_l("Messages must not name our organisation"), default=True)
    no_surnames = BooleanField(_l("No surnames (the writer signs with a first name)"), default=True)
    no_places = BooleanField(_l("No places (not the writer's town)"), default=True)
    avoid_words = TextAreaField(
        _l("Other words messages must not carry (one a line)"),
        validators=[Optional(), Length(max=3000)],
        description=_l("Surnames, places, names of prisons: anything that could harm the person."),
    )
    show_on_page = BooleanField(
        _l("Show approved messages on the action page (first name and country only)")
    )

    def validate_postal_address(self, field) -> None:
        """Ask for the address when supporters post their own cards."""
        if self.delivery.data == Delivery.CARD.value and not (field.data or "").strip():
            raise ValidationError(_l("Please give the address supporters post their cards to."))

    def validate_avoid_words(self, field) -> None:
        """Keep the list short: a long list flags ordinary messages."""
        words = avoid_words(field.data)
        if len(words) > AVOID_WORDS_MAX:
            raise ValidationError(_l("At most %(num)d words, please.", num=AVOID_WORDS_MAX))
        if any(len(word) > 100 for word in words):
            raise ValidationError(_l("Each word or name can be at most 100 characters long."))


def avoid_words(text: str | None) -> list[str]:
    """Return the words of the avoid list, one a line, without blanks or repeats."""
    seen: dict[str, str] = {}
    for line in (text or "").splitlines():
        word = line.strip()
        if word and word.casefold() not in seen:
            seen[word.casefold()] = word
    return list(seen.values())


class ModerationForm(AppForm):
    """Approve or reject messages: the ticked ones, or the one whose button was pressed."""

    decision = StringField(validators=[AnyOf(("approve", "reject"))])
    reason = StringField(
        _l("Reason for rejecting (kept with the message)"),
        validators=[Length(max=REASON_MAX), single_line],
    )
    ids = SelectMultipleField(_l("Messages"), coerce=int, validate_choice=False)

    def validate_reason(self, field) -> None:
        """Ask for a reason when rejecting."""
        if self.decision.data == "reject" and not (field.data or "").strip():
            raise ValidationError(_l("Please say why these messages are rejected."))
