"""The group agreement people accept before they can see their cohort's channels."""

from __future__ import annotations

from dataclasses import dataclass

from bot.safety import not_an_emergency_service
from config.resources import Region

EMBED_DESCRIPTION_MAX = 4096  # Discord's limit for one embed's description
MODAL_TEXT_MAX = 4000  # Discord's limit for a modal text input

# Version 0: used until a facilitator saves the server's own text with /cohort agreement.
DEFAULT_AGREEMENT = """\
**Confidentiality.** What people share in the group stays in the group. Don't repeat \
names, stories or screenshots outside it.
**Respect.** Speak from your own experience, listen without judging, no advice unless asked.
**No recording.** Don't record, photograph or screenshot group channels or voice sessions.
**Your wellbeing.** Facilitators read the group channels and may reach out if something \
you write worries them. They are not available around the clock."""


@dataclass(frozen=True)
class Agreement:
    version: int
    text: str

    def render(self, region: Region) -> str:
        """The agreement as shown: the server's text, then always the safety note."""
        return f"{self.text}\n\n{not_an_emergency_service(region)}"


def max_length(region: Region, intro: int) -> int:
    """The longest agreement that still fits one embed description with `intro` characters
    before it and the region's crisis lines after it (they must never be cut off)."""
    room = EMBED_DESCRIPTION_MAX - intro - len(Agreement(0, "").render(region))
    return max(1, min(MODAL_TEXT_MAX, room))


def current(saved: tuple[int, str] | None) -> Agreement:
    if saved is None:
        return Agreement(0, DEFAULT_AGREEMENT)
    return Agreement(*saved)
