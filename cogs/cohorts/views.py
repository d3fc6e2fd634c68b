"""Cohorts' controls: the consent buttons on the group agreement, and the agreement editor."""

from __future__ import annotations

import discord

from bot import inputs
from bot.buttons import PersistentButton
from bot.checks import guild_of, require_facilitator
from bot.client import LanternBot
from bot.cogs import required_cog
from bot.errors import UserError
from bot.interactions import LanternModal, send_private
from bot.staff import post_log
from cogs.cohorts import agreement as agreements
from cogs.cohorts.agreement import Agreement
from cogs.cohorts.consent import agreement_room
from cogs.cohorts.store import CohortStore


class ConsentButton(
    PersistentButton,
    template=r"lantern:consent:(?P<action>agree|questions):(?P<enrollment>[0-9]+)",
):
    """The "I agree" and "I have questions" buttons under one enrolment's group agreement."""

    def __init__(self, action: str, enrollment: int) -> None:
        agree = action == "agree"
        super().__init__(
            discord.ui.Button(
                label="I agree" if agree else "I have questions",
                style=discord.ButtonStyle.success if agree else discord.ButtonStyle.secondary,
                custom_id=f"lantern:consent:{action}:{enrollment}",
            )
        )
        self.action = action
        self.enrollment_id = enrollment

    async def run(self, interaction: discord.Interaction) -> None:
        from cogs.cohorts.cog import Cohorts  # the cog registers this button

        cog = required_cog(
            interaction.client,
            Cohorts,
            "Cohorts are unavailable right now. Please try again in a minute.",
        )
        enrollment = await cog.store.enrollment(self.enrollment_id)
        if enrollment is None or enrollment.user_id != interaction.user.id:
            raise UserError("This agreement was sent to someone else.")
        # Role changes and staff posts can wait on Discord's rate limits: answer first.
        await interaction.response.defer()
        if self.action == "agree":
            await cog.enrolment.accept(interaction, enrollment)
        else:
            await cog.enrolment.has_questions(interaction, enrollment)


class AgreementModal(LanternModal, title="Group agreement"):
    def __init__(self, bot: LanternBot, store: CohortStore, current: Agreement, room: int) -> None:
        super().__init__()
        self.bot, self.store, self.room = bot, store, room
        self.text: discord.ui.TextInput[AgreementModal] = discord.ui.TextInput(
            label=f"Agreement (now version {current.version})",
            style=discord.TextStyle.paragraph,
            default=current.text[:room],
            max_length=room,
            custom_id="agreement",
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        # Checked again: the region (so the crisis lines) may have changed since it opened.
        room = min(self.room, await agreement_room(self.bot, guild))
        text = inputs.text(self.text.value, "agreement", max_length=room, single_line=False) or ""
        version = await self.store.save_agreement(
            guild.id, text, interaction.user.id, self.bot.clock.now()
        )
        config = await self.bot.guild_configs.get(guild.id)
        await post_log(
            self.bot.outbox,
            guild,
            config,
            f"{interaction.user.mention} saved version {version} of the group agreement.",
        )
        await send_private(
            interaction,
            f"Saved as version {version}. Everyone enrolled from now on is asked to agree to it "
            "(the safety note with crisis lines is always added below it).",
        )


async def open_agreement_editor(
    interaction: discord.Interaction, bot: LanternBot, store: CohortStore
) -> None:
    """`/cohort agreement`: the editor, holding the current text and sized to what fits."""
    await require_facilitator(interaction)
    guild = guild_of(interaction)
    current = agreements.current(await store.agreement(guild.id))
    room = await agreement_room(bot, guild)
    await interaction.response.send_modal(AgreementModal(bot, store, current, room))
