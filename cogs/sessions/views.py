"""Persistent buttons and selects for sessions (they keep working after a restart because
their custom ids carry what they need), and the optional-reason modal."""

from __future__ import annotations

from re import Match
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import UserError
from bot.interactions import LanternModal, reports_errors

if TYPE_CHECKING:
    from cogs.sessions.cog import Sessions

ATTENDANCE_STATUSES = ("present", "absent", "excused")


def _cog(interaction: discord.Interaction) -> Sessions:
    cog = interaction.client.get_cog("Sessions")  # type: ignore[attr-defined]
    if cog is None:
        raise UserError("Sessions are unavailable right now. Please try again in a minute.")
    return cog  # type: ignore[no-any-return]


class RsvpButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
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

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
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
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"lantern:attend:(?P<status>present|absent|excused):(?P<occurrence>[0-9]+)",
):
    def __init__(
        self, status: str, occurrence_id: int, options: list[discord.SelectOption]
    ) -> None:
        super().__init__(
            discord.ui.Select(
                placeholder=f"Mark {status}…",
                min_values=1,
                max_values=max(1, len(options)),
                options=options,
                custom_id=f"lantern:attend:{status}:{occurrence_id}",
            )
        )
        self.status = status
        self.occurrence_id = occurrence_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str]
    ) -> AttendanceSelect:
        options = list(getattr(item, "options", []))
        return cls(match["status"], int(match["occurrence"]), options)

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        user_ids = [int(v) for v in self.item.values]
        await _cog(interaction).mark_attendance(
            interaction, self.occurrence_id, self.status, user_ids
        )


def attendance_view(occurrence_id: int, people: list[tuple[int, str]]) -> discord.ui.View:
    """Three selects (present / absent / excused) listing the cohort's members (first 25)."""
    view = discord.ui.View(timeout=None)
    options = [discord.SelectOption(label=name[:100], value=str(uid)) for uid, name in people[:25]]
    if options:
        for status in ATTENDANCE_STATUSES:
            view.add_item(AttendanceSelect(status, occurrence_id, list(options)))
    return view


class CalendarButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"lantern:sessions:ics"
):
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

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).send_calendar(interaction)


def calendar_view() -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(CalendarButton())
    return view


DYNAMIC_ITEMS = (RsvpButton, AttendanceSelect, CalendarButton)
