"""Persistent buttons and selects for sessions (they keep working after a restart because
their custom ids carry what they need), and the optional-reason modal."""

from __future__ import annotations

from re import Match
from typing import TYPE_CHECKING, Any

import discord

from bot.buttons import PersistentButton, PersistentSelect
from bot.cogs import required_cog
from bot.interactions import LanternModal
from bot.lists import windows

if TYPE_CHECKING:
    from cogs.sessions.cog import Sessions

ATTENDANCE_STATUSES = ("present", "absent", "excused")


def _cog(interaction: discord.Interaction) -> Sessions:
    from cogs.sessions.cog import Sessions

    return required_cog(
        interaction.client,
        Sessions,
        "Sessions are unavailable right now. Please try again in a minute.",
    )


class RsvpButton(
    PersistentButton,
    template=r"lantern:rsvp:(?P<answer>yes|no):(?P<occurrence>[0-9]+)",
):
    def __init__(self, answer: str, occurrence_id: int) -> None:
        yes = answer == "yes"
        super().__init__(
            discord.ui.Button(
                label="I'll be there" if yes else "I can't make it",
                style=discord.ButtonStyle.success if yes else discord.ButtonStyle.secondary,
                custom_id=f"lantern:rsvp:{answer}:{occurrence_id}",
            )
        )
        self.answer = answer
        self.occurrence_id = occurrence_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str]
    ) -> RsvpButton:
        return cls(match["answer"], int(match["occurrence"]))

    async def run(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).rsvp(interaction, self.occurrence_id, self.answer)


def rsvp_view(occurrence_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(RsvpButton("yes", occurrence_id))
    view.add_item(RsvpButton("no", occurrence_id))
    return view


class ReasonModal(LanternModal, title="Can't make it"):
    def __init__(self, occurrence_id: int) -> None:
        super().__init__(custom_id=f"lantern:rsvp:reason:{occurrence_id}")
        self.occurrence_id = occurrence_id
        self.reason: discord.ui.TextInput[ReasonModal] = discord.ui.TextInput(
            label="Reason (optional, only facilitators see it)",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=300,
            custom_id="reason",
        )
        self.add_item(self.reason)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).rsvp_reason(interaction, self.occurrence_id, self.reason.value)


class AttendanceSelect(
    PersistentSelect,
    template=r"lantern:attend:(?P<status>present|absent|excused):(?P<occurrence>[0-9]+)"
    r"(?::(?P<page>[0-9]+))?",
):
    def __init__(
        self,
        status: str,
        occurrence_id: int,
        options: list[discord.SelectOption],
        page: int = 0,
        placeholder: str | None = None,
    ) -> None:
        # The first page keeps the custom id attendance messages have always had.
        suffix = f":{page}" if page else ""
        super().__init__(
            discord.ui.Select(
                placeholder=placeholder or f"Mark {status}…",
                min_values=1,
                max_values=max(1, len(options)),
                options=options,
                custom_id=f"lantern:attend:{status}:{occurrence_id}{suffix}",
            )
        )
        self.status = status
        self.occurrence_id = occurrence_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str]
    ) -> AttendanceSelect:
        options = list(getattr(item, "options", []))
        page = int(match["page"] or 0)
        return cls(match["status"], int(match["occurrence"]), options, page)

    async def run(self, interaction: discord.Interaction) -> None:
        user_ids = [int(v) for v in self.item.values]
        await _cog(interaction).mark_attendance(
            interaction, self.occurrence_id, self.status, user_ids, self.page
        )


class AttendancePageButton(
    PersistentButton,
    template=r"lantern:attend:page:(?P<occurrence>[0-9]+):(?P<page>[0-9]+)",
):
    """Previous / Next over the members when a cohort has more than a select holds (25)."""

    def __init__(self, occurrence_id: int, page: int, label: str, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                disabled=disabled,
                custom_id=f"lantern:attend:page:{occurrence_id}:{page}",
            )
        )
        self.occurrence_id = occurrence_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str]
    ) -> AttendancePageButton:
        return cls(int(match["occurrence"]), int(match["page"]), "")

    async def run(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).turn_attendance_page(interaction, self.occurrence_id, self.page)


def attendance_view(
    occurrence_id: int, people: list[tuple[int, str]], page: int = 0
) -> discord.ui.View:
    """Three selects (present / absent / excused) over one page of 25 members, and
    Previous / Next when the cohort has more; marks are saved as they are made, so moving
    between pages keeps them."""
    view = discord.ui.View(timeout=None)
    pages = windows(len(people))
    page = max(0, min(page, len(pages) - 1))
    shown = [people[i] for i in pages[page]]
    options = [discord.SelectOption(label=name[:100], value=str(uid)) for uid, name in shown]
    if not options:
        return view
    span = f" ({pages[page].start + 1}–{pages[page].stop} of {len(people)})"
    for status in ATTENDANCE_STATUSES:
        placeholder = f"Mark {status}…" + (span if len(pages) > 1 else "")
        view.add_item(AttendanceSelect(status, occurrence_id, list(options), page, placeholder))
    if len(pages) > 1:
        # Distinct custom ids: at either end the disabled button points at the page itself.
        view.add_item(
            AttendancePageButton(occurrence_id, max(page - 1, 0), "◀ Previous", page == 0)
        )
        view.add_item(
            AttendancePageButton(
                occurrence_id, min(page + 1, len(pages) - 1), "Next ▶", page == len(pages) - 1
            )
        )
    return view


class CalendarButton(PersistentButton, template=r"lantern:sessions:ics"):
    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label="Add to calendar",
                emoji="📅",
                style=discord.ButtonStyle.secondary,
                custom_id="lantern:sessions:ics",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str]
    ) -> CalendarButton:
        return cls()

    async def run(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).send_calendar(interaction)


DYNAMIC_ITEMS = (RsvpButton, AttendanceSelect, AttendancePageButton, CalendarButton)
