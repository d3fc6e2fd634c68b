"""The check-in offer: a DM to someone who just joined a cohort, with yes / not now buttons
that keep working after a restart."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.buttons import PersistentButton
from bot.errors import UserError
from cogs.checkins import schedule
from cogs.checkins.membership import standing
from cogs.checkins.prompt_store import PromptStore
from cogs.checkins.prompts import DEFAULT_TIME, PromptService
from cogs.checkins.views import COLOUR, PREFIX, checkins
from cogs.cohorts.api import Cohort, Membership

if TYPE_CHECKING:
    from bot.client import LanternBot

WEEKLY_DAY = frozenset({6})  # Sunday: a gentle end-of-week look back
WEEKLY_TIME = schedule.parse_time("18:00")  # for someone who had no check-in time in the program

# The logger these records had before the module was split out (log filters use it).
log = logging.getLogger("cogs.checkins.cog")


class OptInButton(
    PersistentButton,
    template=PREFIX + r":optin:(?P<guild_id>[0-9]+):(?P<answer>yes|no)",
):
    def __init__(self, guild_id: int, answer: str) -> None:
        yes = answer == "yes"
        super().__init__(
            discord.ui.Button(
                label="Yes, please" if yes else "Not now",
                style=discord.ButtonStyle.success if yes else discord.ButtonStyle.secondary,
                custom_id=f"{PREFIX}:optin:{guild_id}:{answer}",
            )
        )
        self.guild_id, self.answer = guild_id, answer

    async def run(self, interaction: discord.Interaction) -> None:
        await checkins(interaction.client).offers.answer(interaction, self.guild_id, self.answer)


class OfferService:
    def __init__(
        self, bot: LanternBot, store: PromptStore, cohorts: Membership, prompts: PromptService
    ) -> None:
        self.bot, self.store, self.cohorts, self.prompts = bot, store, cohorts, prompts

    async def send(self, member: discord.Member, cohort: Cohort) -> None:
        config = await self.bot.guild_configs.get(member.guild.id)
        zone = (config.timezone if config else None) or "UTC"
        embed = discord.Embed(
            title="Would you like a daily check-in?",
            description=(
                "A few taps once a day: mood, cravings, sleep, and a note if you want. Only you "
                "and your facilitators see your answers; sharing a summary with your cohort is "
                "always your choice.\n\n"
                f"If you say yes, I'll ask every day at **{schedule.format_time(DEFAULT_TIME)}** "
                f"({zone}). Change the time, days or timezone, or stop, any time with "
                "`/checkin settings` in the server."
            ),
            colour=COLOUR,
        )
        embed.set_footer(text=f"{member.guild.name} · {cohort.name}")
        view = discord.ui.View(timeout=None)
        view.add_item(OptInButton(member.guild.id, "yes"))
        view.add_item(OptInButton(member.guild.id, "no"))
        try:
            await member.send(embed=embed, view=view)
        except discord.HTTPException as exc:
            log.info(
                "check-in offer not delivered",
                extra={"user_id": member.id, "status": exc.status},
            )

    async def answer(self, interaction: discord.Interaction, guild_id: int, answer: str) -> None:
        where = await standing(self.cohorts, guild_id, interaction.user.id)
        if answer == "no":
            await interaction.response.edit_message(
                content="No problem. If you change your mind, use `/checkin settings` in the "
                "server. You can also check in any time with `/checkin now`.",
                embed=None,
                view=None,
            )
            return
        if where.status != "active":
            raise UserError("This offer was for people in a cohort; it has ended.")
        config = await self.bot.guild_configs.get(guild_id)
        current = await self.store.settings(guild_id, interaction.user.id)
        if current is not None and current.enabled and current.cadence == "daily":
            settings = current
        else:
            settings = await self.prompts.opt_in(
                guild_id, interaction.user.id, (config.timezone if config else None) or "UTC"
            )
        log.info("opted in to check-ins", extra={"settings_id": settings.id})
        await interaction.response.edit_message(
            content=f"You're all set: {settings.describe()}. Change it any time with "
            "`/checkin settings` in the server. 💛",
            embed=None,
            view=None,
        )

    async def keep_weekly(self, guild_id: int, user_id: int) -> str:
        """A graduate's yes to a weekly check-in (from their congratulation DM): Sundays at
        the time they checked in at during the program (18:00 if they had none); a weekly
        day and time they chose before are kept."""
        where = await standing(self.cohorts, guild_id, user_id)
        if where.status != "alumni":
            raise UserError(
                "The weekly check-in is for graduates; you're not one on that server (yet)."
            )
        current = await self.store.settings(guild_id, user_id)
        if current is not None and current.enabled and current.cadence == "weekly":
            settings = current  # pressed twice: nothing changes
        else:
            config = await self.bot.guild_configs.get(guild_id)
            kept = current is not None and current.cadence == "weekly"
            now = self.bot.clock.now()
            settings = await self.store.save_settings(
                guild_id=guild_id,
                user_id=user_id,
                enabled=True,
                cadence="weekly",
                local_time=current.local_time if current else WEEKLY_TIME,
                timezone=(current.timezone if current else None)
                or (config.timezone if config else None)
                or "UTC",
                days=current.days if current and kept else WEEKLY_DAY,
                nudge=False,
                last_due_at=now,
                now=now,
            )
            log.info("kept a weekly check-in", extra={"settings_id": settings.id})
        when = self.prompts.schedule(settings)
        text = f"You're all set: I'll check in with you {settings.describe()}."
        if when is not None:
            text += f" Next one: <t:{int(when.timestamp())}:F>."
        return (
            text + " Change the day or time, or stop, any time with `/checkin settings` in the "
            "server. 💛"
        )
