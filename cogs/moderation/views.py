"""Moderation's controls: the buttons under a report's notice and the "Time out the author"
modal. Their work is done by `Reports` (reports.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.buttons import PersistentButton
from bot.cogs import loaded_cog
from bot.errors import UserError
from bot.interactions import LanternModal

if TYPE_CHECKING:
    from cogs.moderation.reports import Reports

REPORT_ACTIONS = {
    "dismiss": ("Dismiss", discord.ButtonStyle.secondary),
    "delete": ("Delete message", discord.ButtonStyle.danger),
    "timeout": ("Time out author", discord.ButtonStyle.danger),
    "thread": ("Talk to reporter", discord.ButtonStyle.primary),
}


def report_view(report_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for action in REPORT_ACTIONS:
        view.add_item(ReportButton(action, report_id))
    return view


class ReportButton(
    PersistentButton,
    template=r"lantern:report:(?P<action>dismiss|delete|timeout|thread):(?P<report_id>[0-9]+)",
):
    def __init__(self, action: str, report_id: int) -> None:
        label, style = REPORT_ACTIONS[action]
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"lantern:report:{action}:{report_id}"
            )
        )
        self.action, self.report_id = action, report_id

    async def run(self, interaction: discord.Interaction) -> None:
        from cogs.moderation.cog import Moderation  # the cog registers this button

        cog = loaded_cog(interaction.client, Moderation)
        report = await cog.store.report(self.report_id) if cog else None
        if cog is None or report is None:
            raise UserError("That report no longer exists.")
        await cog.reports.act(interaction, self.action, report)


class TimeoutModal(LanternModal, title="Time out the author"):
    def __init__(self, reports: Reports, author_id: int, report_id: int) -> None:
        super().__init__()
        self.reports, self.author_id, self.report_id = reports, author_id, report_id
        self.duration: discord.ui.TextInput[TimeoutModal] = discord.ui.TextInput(
            label="Duration (e.g. 10m, 1h, 1d)", default="1h", max_length=10, custom_id="duration"
        )
        self.reason: discord.ui.TextInput[TimeoutModal] = discord.ui.TextInput(
            label="Reason",
            default=f"Reported message (report #{report_id})",
            max_length=300,
            custom_id="reason",
        )
        self.add_item(self.duration)
        self.add_item(self.reason)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.reports.timeout_author(
            interaction, self.author_id, self.report_id, self.duration.value, self.reason.value
        )
