"""The escalation channel's health: as soon as Lantern can no longer post alerts there, the
owner and the moderation log are told (`crisis_staff_notice`), not at the next alert; the
verdict is kept where `check-config` can read it without Discord."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.interactions import NO_PINGS
from bot.outbox import SAFETY, Item, Landed, Undeliverable, is_permanent
from bot.staff import staff_channel
from bot.storage.guilds import GuildConfig
from bot.tree import new_incident_id
from cogs.crisis.reach import fetch_member

if TYPE_CHECKING:
    from bot.client import LanternBot

# The logger these lines always had (before the split): operators filter on it.
log = logging.getLogger("cogs.crisis.escalation")

STAFF_NOTICE = "crisis_staff_notice"
POSTING = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)


def escalation_problem(guild: discord.Guild, config: GuildConfig | None) -> str | None:
    """Why Lantern cannot post alerts in the escalation channel, or None if it can."""
    if config is None or not config.is_complete:
        return None
    channel = guild.get_channel(config.escalation_channel_id or 0)
    if not isinstance(channel, discord.TextChannel):
        return "the escalation channel was deleted"
    have = channel.permissions_for(guild.me)
    missing = [name for name, value in POSTING if value and not getattr(have, name)]
    if missing:
        return (
            "Lantern is missing "
            + ", ".join(m.replace("_", " ") for m in missing)
            + (f" in #{channel.name}")
        )
    return None


class EscalationHealth:
    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        self._told_broken: dict[int, str | None] = {}

    def register(self) -> None:
        self.bot.outbox.register(STAFF_NOTICE, self.deliver_staff_notice, SAFETY)

    def unregister(self) -> None:
        self.bot.outbox.unregister(STAFF_NOTICE)

    async def check(self, guild: discord.Guild, *, reason: str | None = None) -> None:
        """Tell the owner and the log channel as soon as alerts can no longer be posted, and
        keep the verdict where `check-config` can read it without Discord."""
        config = await self.bot.guild_configs.get(guild.id)
        problem = escalation_problem(guild, config) or reason
        if self._told_broken.get(guild.id, "") == problem:
            return
        self._told_broken[guild.id] = problem
        await self.bot.app_state.set(
            f"escalation:{guild.id}",
            f"cannot post alerts: {problem}" if problem else "can post alerts",
            self.bot.clock.now(),
        )
        if problem is None:
            return
        now = self.bot.clock.now()
        log.error(
            "the escalation channel is unusable",
            extra={"guild_id": guild.id, "incident": new_incident_id()},
        )
        await self.bot.outbox.enqueue(
            STAFF_NOTICE,
            guild.id,
            guild_id=guild.id,
            key=f"{STAFF_NOTICE}:{guild.id}:{now.isoformat()}",
            payload={"problem": problem},
        )

    async def refused(self, guild: discord.Guild, reason: str) -> None:
        """The escalation channel refused an alert (`reach.send_first` tells us)."""
        await self.check(guild, reason=reason)

    async def deliver_staff_notice(self, item: Item) -> Landed | None:
        guild = self.bot.get_guild(item.subject_id)
        config = await self.bot.guild_configs.get(item.subject_id)
        if guild is None or config is None:
            return None
        text = (
            f"⚠️ Lantern can no longer post crisis alerts in **{guild.name}**'s escalation "
            f"channel: {item.payload.get('problem')}. Until this is fixed, alerts go to the "
            "moderation log or to facilitators' DMs. Please fix it, then run `/setup check`."
        )
        landed: Landed | None = None
        log_channel = staff_channel(guild, config, "log")
        if log_channel is not None and log_channel.id != config.escalation_channel_id:
            try:
                sent = await log_channel.send(text, allowed_mentions=NO_PINGS, nonce=item.nonce())
                landed = Landed("log", log_channel.id, sent.id)
            except discord.HTTPException as error:
                if not is_permanent(error):
                    raise
        owner = guild.owner or await fetch_member(guild, guild.owner_id)
        if owner is not None:
            try:
                sent = await owner.send(text, allowed_mentions=NO_PINGS, nonce=item.nonce("o"))
                landed = landed or Landed("owner", sent.channel.id, sent.id)
            except discord.HTTPException as error:
                if not is_permanent(error):
                    raise
        if landed is None:
            raise Undeliverable("neither the log channel nor the owner could be told")
        return landed
