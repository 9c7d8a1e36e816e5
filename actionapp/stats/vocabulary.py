"""The one table of letter channels and statuses: their order, names and what counts publicly.

Counts, statistics, exports, the API and the organiser pages all read it; a new status is added
here once.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class ChannelStatus:
    """Letters of one channel in one status: whether they count publicly, and their name."""

    channel: str
    status: str
    counts_publicly: bool
    label: str


# Channels, in the order organisers see them, with their names.
CHANNELS: dict[str, str] = {
    "email": _l("Email"),
    "mailto": _l("Own email program"),
    "print": _l("Printed"),
    "event": _l("Reported from events"),
}

# Every channel and status pair organisers always see, in this order, even when zero. Other
# statuses (awaiting confirmation, mailto links opened) show to organisers but are not added to
# the public total.
CHANNEL_STATUSES: tuple[ChannelStatus, ...] = (
    ChannelStatus("email", "confirmed", True, _l("Email, confirmed")),
    ChannelStatus("email", "awaiting_confirmation", False, _l("Email, awaiting confirmation")),
    ChannelStatus(
        "email", "duplicate", False, _l("Email, already written from that address (not sent)")
    ),
    ChannelStatus("mailto", "sent", True, _l("Own email program, sent")),
    ChannelStatus("mailto", "opened", False, _l("Own email program, opened only")),
    ChannelStatus("print", "printed", True, _l("Printed")),
    ChannelStatus("print", "posted", True, _l("Printed and posted")),
    ChannelStatus("print", "to_print", False, _l("Print chosen, PDF not downloaded")),
    ChannelStatus("event", "approved", True, _l("Event reports, approved")),
    ChannelStatus("event", "pending", False, _l("Event reports, awaiting review")),
    ChannelStatus("event", "rejected", False, _l("Event reports, rejected")),
)

# The statuses that make a letter count publicly, per channel.
COUNTED_STATUSES: dict[str, frozenset[str]] = {
    channel: frozenset(
        pair.status for pair in CHANNEL_STATUSES if pair.channel == channel and pair.counts_publicly
    )
    for channel in CHANNELS
}
KNOWN_CHANNEL_STATUSES: tuple[tuple[str, str], ...] = tuple(
    (pair.channel, pair.status) for pair in CHANNEL_STATUSES
)


def channel_labels() -> dict[str, str]:
    """Name each channel in the interface language."""
    return {channel: str(label) for channel, label in CHANNELS.items()}


def channel_status_labels() -> dict[tuple[str, str], str]:
    """Name each channel and status pair in the interface language."""
    return {(pair.channel, pair.status): str(pair.label) for pair in CHANNEL_STATUSES}
