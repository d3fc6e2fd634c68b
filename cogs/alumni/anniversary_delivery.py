"""Celebrating custom anniversaries on the day: the hourly run queues each year's private
DM (and, when the person chose to share, a post in the alumni #milestones channel) through
the outbox, in the transaction that marks the year celebrated: once, even across restarts.

Outbox payloads carry no name: the handlers read it at delivery time, so an anniversary
removed (or data deleted) before then is simply not sent."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import discord

from bot.client import LanternBot
from bot.outbox import PERSON, ROUTINE, Item, Landed
from cogs.alumni import anniversaries as rules
from cogs.alumni.anniversaries import Anniversary
from cogs.alumni.anniversary_store import AnniversaryStore
from cogs.alumni.store import AlumniStore

log = logging.getLogger(__name__)

DM_KIND = "anniversary_dm"
POST_KIND = "anniversary_post"


def shown(name: str) -> str:
    """A person's words inside Lantern's sentence: no markdown, no mention syntax."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(name))


class AnniversaryCelebrations:
    def __init__(
        self, bot: LanternBot, store: AnniversaryStore, alumni: AlumniStore, from_hour: int
    ) -> None:
        self.bot = bot
        self.store = store
        self.alumni = alumni
        self.from_hour = from_hour

    def register(self) -> None:
        self.bot.outbox.register(DM_KIND, self.deliver_dm, PERSON)
        self.bot.outbox.register(POST_KIND, self.deliver_post, ROUTINE)

    def unregister(self) -> None:
        self.bot.outbox.unregister(DM_KIND)
        self.bot.outbox.unregister(POST_KIND)

    async def local_now(self, guild_id: int, now: datetime | None = None) -> datetime:
        config = await self.bot.guild_configs.get(guild_id)
        zone = ZoneInfo((config.timezone if config else None) or "UTC")
        return (now or self.bot.clock.now()).astimezone(zone)

    async def celebrate_due(self, now: datetime | None = None) -> int:
        """Queue every congratulation due now; safe to run any time, any number of times.
        Returns how many anniversaries were queued."""
        now = now or self.bot.clock.now()
        queued = 0
        for guild_id in await self.store.guilds():
            local = await self.local_now(guild_id, now)
            if local.hour < self.from_hour:
                continue  # nobody is congratulated in the middle of the night
            day = local.date()
            candidates = await self.store.on_days(guild_id, rules.month_days(day), day.year)
            for anniversary in candidates:
                year = rules.due_year(anniversary, day)
                if year is not None and await self._queue(anniversary, year):
                    queued += 1
        if queued:
            log.info("anniversaries queued", extra={"count": queued})
        return queued

    async def _queue(self, anniversary: Anniversary, year: int) -> bool:
        payload = {"year": year}
        async with self.bot.db.transaction():
            if not await self.store.claim(anniversary.id, year):
                return False
            for kind in (DM_KIND, POST_KIND) if anniversary.share else (DM_KIND,):
                await self.bot.outbox.enqueue(
                    kind,
                    anniversary.id,
                    guild_id=anniversary.guild_id,
                    key=f"{kind}:{anniversary.id}:{year}",
                    payload=payload,
                )
        return True

    async def _still_wanted(self, item: Item) -> tuple[Anniversary, discord.Member] | None:
        anniversary = await self.store.get(item.subject_id)
        if anniversary is None:
            return None  # removed (or the person's data deleted) since
        guild = self.bot.get_guild(anniversary.guild_id)
        member = guild.get_member(anniversary.user_id) if guild else None
        if member is None:
            return None  # left the server meanwhile
        return anniversary, member

    async def deliver_dm(self, item: Item) -> Landed | None:
        found = await self._still_wanted(item)
        if found is None:
            return None
        anniversary, member = found
        text = rules.dm_text(
            anniversary,
            shown(anniversary.name),
            int(item.payload["year"]),
            (await self.local_now(anniversary.guild_id)).date(),  # "today", or late: "on Mar 02"
        )
        try:
            sent = await member.send(
                text, allowed_mentions=discord.AllowedMentions.none(), nonce=item.nonce()
            )
        except (discord.Forbidden, discord.NotFound):
            log.info("anniversary DM refused: DMs closed", extra={"user_id": member.id})
            return Landed("dms_closed")
        return Landed("dm", sent.channel.id, sent.id)

    async def deliver_post(self, item: Item) -> Landed | None:
        found = await self._still_wanted(item)
        if found is None or not found[0].share:
            return None
        anniversary, member = found
        space = await self.alumni.space(anniversary.guild_id)
        channel = member.guild.get_channel(space.milestones_channel_id) if space else None
        if not isinstance(channel, discord.TextChannel):
            log.info("no alumni #milestones channel", extra={"guild_id": member.guild.id})
            return None
        text = rules.post_text(
            anniversary,
            shown(anniversary.name),
            int(item.payload["year"]),
            (await self.local_now(anniversary.guild_id)).date(),  # "today", or late: "on Mar 02"
        )
        # They chose to share it: only they are pinged, whatever their words contain.
        only_them = discord.AllowedMentions(everyone=False, roles=False, users=[member])
        sent = await channel.send(text, allowed_mentions=only_them, nonce=item.nonce())
        return Landed("milestones", channel.id, sent.id)
