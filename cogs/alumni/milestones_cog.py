"""`/milestone`: opt-in recovery milestones (days clean or sober) and custom anniversaries,
and the hourly run that celebrates them. Its own cog, built next to `Alumni` in setup()."""

from __future__ import annotations

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

import discord
from apscheduler.triggers.interval import IntervalTrigger
from discord import app_commands
from discord.ext import commands

from bot.client import LanternBot
from bot.errors import UserError
from bot.interactions import NO_PINGS, send_private
from cogs.alumni.anniversary_commands import AnniversaryCommands
from cogs.alumni.anniversary_delivery import AnniversaryCelebrations
from cogs.alumni.anniversary_store import AnniversaryStore
from cogs.alumni.logic import milestones_due, progress, saved_text
from cogs.alumni.store import AlumniStore

log = logging.getLogger(__name__)

ANNOUNCE_FROM_HOUR = 9  # local time; nobody's milestone is posted in the middle of the night
JOB_ID = "alumni:milestones"


def parse_start(raw: str, today: date) -> date:
    try:
        start = date.fromisoformat(raw.strip())
    except ValueError:
        raise UserError(
            f"`start`: `{discord.utils.escape_markdown(raw)[:20]}` isn't a date I understand. Use "
            "YYYY-MM-DD, e.g. 2026-01-15."
        ) from None
    if start > today:
        raise UserError("`start`: Your recovery start date can't be in the future.")
    if start.year < 1950:
        raise UserError("`start`: That date looks too far back. Use YYYY-MM-DD.")
    return start


class Milestones(commands.Cog):
    milestone = app_commands.Group(
        name="milestone", description="Your recovery milestones (opt-in)", guild_only=True
    )
    anniversary = app_commands.Group(
        name="anniversary",
        description="Your own anniversaries, celebrated yearly",
        parent=milestone,
    )

    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        self.store = AlumniStore(bot.db)
        self.anniversaries = AnniversaryStore(bot.db, bot.cipher)
        self.celebrations = AnniversaryCelebrations(
            bot, self.anniversaries, self.store, ANNOUNCE_FROM_HOUR
        )
        self.own = AnniversaryCommands(bot, self.anniversaries)

    async def cog_load(self) -> None:
        self.celebrations.register()
        # Hourly is enough for a daily event; the tables make each celebration happen once.
        self.bot.scheduler.add(JOB_ID, IntervalTrigger(hours=1), self.tick, grace_seconds=3600)

    async def cog_unload(self) -> None:
        self.celebrations.unregister()
        self.bot.scheduler.remove(JOB_ID)

    async def tick(self) -> None:
        await self.announce_due()
        await self.celebrations.celebrate_due()

    def _today(self, tz: str | None) -> date:
        return self.bot.clock.now().astimezone(ZoneInfo(tz or "UTC")).date()

    @milestone.command(name="set", description="Share your recovery milestones (opt-in)")
    @app_commands.describe(start="Your recovery start date, YYYY-MM-DD")
    async def set_(self, interaction: discord.Interaction, start: str) -> None:
        config = await self.bot.guild_configs.get(interaction.guild_id or 0)
        today = self._today(config.timezone if config else None)
        day = parse_start(start, today)
        before = await self.store.optin(interaction.guild_id or 0, interaction.user.id)
        if before is None or before.recovery_start != day:
            await self.store.set_optin(
                interaction.guild_id or 0, interaction.user.id, day, self.bot.clock.now()
            )
        start_before = before.recovery_start if before else None
        await send_private(interaction, saved_text(start_before, day, today))

    @milestone.command(
        name="show", description="Your recovery start date, next milestone and anniversaries"
    )
    async def show(self, interaction: discord.Interaction) -> None:
        guild_id, user_id = interaction.guild_id or 0, interaction.user.id
        optin = await self.store.optin(guild_id, user_id)
        if optin is None:
            text = "You haven't shared a start date. `/milestone set` opts you in."
        else:
            config = await self.bot.guild_configs.get(guild_id)
            text = progress(optin.recovery_start, self._today(config.timezone if config else None))
        lines = await self.own.lines(guild_id, user_id)
        if lines:
            await send_private(interaction, text, embed=self.own.embed(lines))
        else:
            await send_private(interaction, text)

    @milestone.command(name="clear", description="Stop milestone announcements and forget the date")
    async def clear(self, interaction: discord.Interaction) -> None:
        guild_id, user_id = interaction.guild_id or 0, interaction.user.id
        removed = await self.store.clear_optin(guild_id, user_id)
        text = (
            "Done: your start date is deleted and nothing more will be announced."
            if removed
            else "There was nothing to clear."
        )
        # Anniversaries are separate things people chose one by one: they stay.
        kept = len(await self.anniversaries.of_person(guild_id, user_id))
        if kept:
            text += (
                f"\nYour {kept} anniversar{'y is' if kept == 1 else 'ies are'} kept; "
                "`/milestone anniversary remove` removes one."
            )
        await send_private(interaction, text)

    # --- /milestone anniversary (thin: the work is in anniversary_commands) -----------

    @anniversary.command(name="add", description="Add an anniversary to celebrate every year")
    @app_commands.describe(
        name='What it marks, e.g. "Graduated IOP" (up to 80 characters)',
        date="The day it happened, YYYY-MM-DD",
        share="Also celebrate it in the alumni #milestones channel (default: only a DM to you)",
    )
    async def anniversary_add(
        self, interaction: discord.Interaction, name: str, date: str, share: bool = False
    ) -> None:
        await self.own.add(interaction, name, date, share)

    @anniversary.command(name="remove", description="Remove one of your anniversaries")
    @app_commands.describe(name="Which anniversary")
    async def anniversary_remove(self, interaction: discord.Interaction, name: str) -> None:
        await self.own.remove(interaction, name)

    @anniversary_remove.autocomplete("name")
    async def _own_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.own.names(interaction, current)

    @anniversary.command(name="list", description="Your anniversaries (only you see them)")
    async def anniversary_list(self, interaction: discord.Interaction) -> None:
        await self.own.list_(interaction)

    # --- the hourly run ---------------------------------------------------------------

    async def announce_due(self, now: datetime | None = None) -> int:
        """Post every milestone that is due; safe to run any time, any number of times."""
        now = now or self.bot.clock.now()
        posted = 0
        for optin in await self.store.all_optins():
            guild = self.bot.get_guild(optin.guild_id)
            space = await self.store.space(optin.guild_id)
            config = await self.bot.guild_configs.get(optin.guild_id)
            if guild is None or space is None:
                continue
            local = now.astimezone(ZoneInfo((config.timezone if config else None) or "UTC"))
            if local.hour < ANNOUNCE_FROM_HOUR:
                continue
            channel = guild.get_channel(space.milestones_channel_id)
            if (
                not isinstance(channel, discord.TextChannel)
                or guild.get_member(optin.user_id) is None
            ):
                continue
            announced = await self.store.announced(optin.guild_id, optin.user_id)
            for milestone in milestones_due(optin.recovery_start, local.date(), announced):
                if not await self.store.claim(optin.guild_id, optin.user_id, milestone.key, now):
                    continue
                try:
                    await channel.send(
                        f"🌟 <@{optin.user_id}> reached **{milestone.label}** today. "
                        "Congratulations!",
                        allowed_mentions=NO_PINGS,
                    )
                    posted += 1
                except discord.HTTPException as exc:
                    await self.store.release(optin.guild_id, optin.user_id, milestone.key)
                    log.warning("milestone post failed", extra={"status": exc.status})
        return posted
