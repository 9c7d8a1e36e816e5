"""The outcomes an update may announce, and the one label of every status word an action shows.

An action's status word (campaigns.actions.ActionState.status) is "draft", "live", "closed"
or its latest outcome; pages, the organiser's lists and the update form all label it here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# What an update can say happened, in the order the update form offers it.
OUTCOME_LABELS = {
    "released": _l("Released"),
    "charges dropped": _l("Charges dropped"),
    "acquitted": _l("Acquitted"),
    "sentenced": _l("Sentenced"),
    "closed": _l("Case closed"),
}
OUTCOMES = ("", *OUTCOME_LABELS)
_STATUS_LABELS = {
    "draft": _l("Draft"),
    "live": _l("Open for letters"),
    # The action closed without an outcome (an outcome "closed" reads "Case closed").
    "closed": _l("Closed"),
}


def status_label(word: str) -> str:
    """Return the interface-language label of a status word; an unknown word as it is."""
    label = _STATUS_LABELS.get(word) or OUTCOME_LABELS.get(word)
    return str(label) if label is not None else word
