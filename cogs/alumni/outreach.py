"""Aftercare for alumni who have gone quiet: the daily outreach run, the weekly list for
program staff, and `/alumni outreach days:`.

An hourly job (added at start-up; the database holds every claim) runs each server's
outreach once a day from 11:00 in the program's timezone, and its weekly list once a week
from Monday 09:00. Each claim is taken in the same transaction as the outbox rows it
creates, so a restart or a late run never sends twice. One run reads a fixed number of
queries per server whatever the number of alumni (everything is read per server, in bulk).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import discord

from bot.checks import guild_of, require_facilitator
from bot.client import LanternBot
from bot.errors import UserError
from bot.interactions import send_private
from bot.staff import post_log, staff_channel
from cogs.alumni.outreach_dm import OUTREACH
from cogs.alumni.outreach_list import post_list
from cogs.alumni.outreach_logic import (
    MAX_QUIET_DAYS,
    MIN_QUIET_DAYS,
    Alumnus,
    Quiet,
    select_quiet,
)
from cogs.alumni.outreach_store import OutreachStore
from cogs.checkins.api import last_checkin_days
from cogs.cohorts.api import Membership
from cogs.sessions.api import last_session_activity

log = logging.getLogger(__name__)

RUN_HOUR = 11  # local: a friendly time of day for a friendly message
LIST_HOUR = 9  # local, on Mondays (any later day of the week if Lantern was down)


CHUNK_TIMEOUT = 30.0


async def present_in(guild: discord.Guild) -> Callable[[int], bool]:
    """Whether someone is still on the server. Members are fetched when needed (a big
    server isn't loaded at start-up), so the list is loaded first: an alum missing from the
    cache must not look as if they had left."""
    if not guild.chunked:
        try:
            await asyncio.wait_for(guild.chunk(), CHUNK_TIMEOUT)
        except (TimeoutError, discord.ClientException):
            log.warning("could not load the member list", extra={"guild_id": guild.id})
    return lambda user_id: guild.get_member(user_id) is not None


@dataclass(frozen=True)
class Found:
    quiet: list[Quiet]
    alumni: int  # graduates still on the server and not back in a cohort


class Outreach:
    def __init__(self, bot: LanternBot, store: OutreachStore, members: Membership) -> None:
        self.bot, self.store, self.members = bot, store, members

    def zone(self, timezone: str | None) -> ZoneInfo:
        return ZoneInfo(timezone or "UTC")

    async def find(
        self, guild_id: int, now: datetime, zone: ZoneInfo, present: Callable[[int], bool]
    ) -> Found:
        """Every quiet alumnus of the server (seven queries, whatever their number)."""
        quiet_days = await self.store.quiet_days(guild_id)
        graduates = await self.members.graduates(guild_id)
        enrolled = await self.members.enrolled_people(guild_id)
        checkins = await last_checkin_days(self.bot.db, guild_id)
        messages = await self.store.last_messages(guild_id)
        sessions = await last_session_activity(self.bot.db, guild_id, now)
        contacts = await self.store.contacts(guild_id)
        alumni = [
            Alumnus(
                uid, name, graduated_on, checkins.get(uid), messages.get(uid), sessions.get(uid)
            )
            for uid, _cohort_id, name, graduated_on in graduates
        ]
        quiet = select_quiet(
            alumni, contacts, now=now, zone=zone, quiet_days=quiet_days, enrolled=enrolled,
            present=present,
        )  # fmt: skip
        count = len({a.user_id for a in alumni if a.user_id not in enrolled and present(a.user_id)})
        return Found(quiet, count)

    # --- the daily run and the weekly list ---------------------------------------------

    async def run_due(self, now: datetime | None = None) -> int:
        """The hourly job: each server's run and list when due. Returns the DMs queued."""
        now = now or self.bot.clock.now()
        queued = 0
        for guild in list(self.bot.guilds):
            config = await self.bot.guild_configs.get(guild.id)
            if config is None:
                continue
            zone = self.zone(config.timezone)
            local = now.astimezone(zone)
            monday = local.date() - timedelta(days=local.weekday())
            last_run, last_list = await self.store.last_done(guild.id)
            if local.hour >= RUN_HOUR and (last_run is None or last_run < local.date()):
                queued += await self.run(guild, now, zone)
            if (local.weekday() > 0 or local.hour >= LIST_HOUR) and (
                last_list is None or last_list < monday
            ):
                await self.weekly_list(guild, now, zone, monday)
        return queued

    async def run(self, guild: discord.Guild, now: datetime, zone: ZoneInfo) -> int:
        """Today's outreach for one server, once: the people to DM are recorded and their
        DMs queued in the transaction that claims the day."""
        day = now.astimezone(zone).date()
        found = await self.find(guild.id, now, zone, await present_in(guild))
        due = [q.person.user_id for q in found.quiet if q.dm_now]
        async with self.bot.db.transaction():
            if not await self.store.claim(guild.id, "last_run_on", day):
                return 0
            await self.store.mark_dm(guild.id, due, now)
            await self.bot.outbox.enqueue_many(
                OUTREACH, [(uid, guild.id, f"{OUTREACH}:{guild.id}:{uid}:{day}") for uid in due]
            )
        log.info(
            "alumni outreach run",
            extra={"guild_id": guild.id, "quiet": len(found.quiet), "queued": len(due)},
        )
        return len(due)

    async def weekly_list(
        self, guild: discord.Guild, now: datetime, zone: ZoneInfo, monday: date
    ) -> bool:
        """This week's "alumni to reach out to" in the moderation log, once."""
        config = await self.bot.guild_configs.get(guild.id)
        if staff_channel(guild, config, "log") is None:
            return False
        found = await self.find(guild.id, now, zone, await present_in(guild))
        if found.alumni == 0:
            return False  # a program without alumni yet gets no weekly noise
        async with self.bot.db.transaction():
            if not await self.store.claim(guild.id, "last_list_on", monday):
                return False
            await post_list(self.bot.outbox, guild, config, found.quiet, now, zone)
        log.info("alumni outreach list posted", extra={"guild_id": guild.id})
        return True

    # --- /alumni outreach --------------------------------------------------------------

    async def settings_command(self, interaction: discord.Interaction, days: int | None) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        if days is not None and not MIN_QUIET_DAYS <= days <= MAX_QUIET_DAYS:
            raise UserError(
                f"`days`: pick a number of days from {MIN_QUIET_DAYS} to {MAX_QUIET_DAYS} "
                f"(you gave {days}). Nothing was changed."
            )
        now = self.bot.clock.now()
        if days is not None and days != await self.store.quiet_days(guild.id):
            await self.store.set_quiet_days(guild.id, days, interaction.user.id, now)
            await post_log(
                self.bot.outbox, guild, config,
                f"{interaction.user.mention} set alumni outreach to {days} quiet days.",
            )  # fmt: skip
        quiet_days = await self.store.quiet_days(guild.id)
        found = await self.find(guild.id, now, self.zone(config.timezone), await present_in(guild))
        log_channel = staff_channel(guild, config, "log")
        where = log_channel.mention if log_channel else "the moderation log (not set up yet)"
        await send_private(
            interaction,
            f"**Alumni outreach:** an alum counts as quiet after **{quiet_days} days** without "
            "a check-in, a message or a session (graduation counts as activity). Each quiet "
            "alum gets one warm DM at most every 30 days (they can stop them), and the quiet "
            f"ones are listed for program staff every Monday in {where}.\n"
            f"Quiet now: **{len(found.quiet)}** of {found.alumni} alumni.",
        )
