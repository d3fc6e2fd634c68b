"""The graduate's answer to the congratulation offer (a DM, answered any time later)."""

from __future__ import annotations

import discord

from bot.buttons import PersistentButton
from bot.cogs import loaded_cog
from cogs.checkins.api import keep_weekly_checkin


class CongratsButton(
    PersistentButton,
    template=r"lantern:congrats:(?P<action>share|private):(?P<cohort>[0-9]+)",
):
    def __init__(self, action: str, cohort: int) -> None:
        share = action == "share"
        super().__init__(
            discord.ui.Button(
                label="Yes, share it in the alumni lounge" if share else "Keep it private",
                style=discord.ButtonStyle.success if share else discord.ButtonStyle.secondary,
                custom_id=f"lantern:congrats:{action}:{cohort}",
            )
        )
        self.action, self.cohort_id = action, cohort

    async def run(self, interaction: discord.Interaction) -> None:
        from cogs.alumni.cog import Alumni  # the cog registers this button

        cog = loaded_cog(interaction.client, Alumni)
        if self.action == "private":
            await interaction.response.edit_message(
                content="Kept private. Congratulations on graduating! 🎓", view=None
            )
        elif cog is not None:
            await cog.share_congratulation(interaction, self.cohort_id)


class WeeklyCheckinButton(
    PersistentButton,
    template=r"lantern:congrats:weekly:(?P<guild_id>[0-9]+)",
):
    """On the graduation congratulation: keep a lighter, weekly check-in."""

    def __init__(self, guild_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Keep a weekly check-in",
                style=discord.ButtonStyle.primary,
                emoji="🗓️",
                custom_id=f"lantern:congrats:weekly:{guild_id}",
            )
        )
        self.guild_id = guild_id

    async def run(self, interaction: discord.Interaction) -> None:
        text = await keep_weekly_checkin(interaction.client, self.guild_id, interaction.user.id)
        await interaction.response.send_message(text)
