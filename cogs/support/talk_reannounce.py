"""Re-announcing conversations nobody has answered, and the replies that stop it.

Re-announcement follows the crisis re-alert pattern: the due time lives in the database
(`next_reannounce_at`), jobs are rebuilt at start-up, and a compare-and-set claims each one,
so restarts neither lose nor repeat it. Outside staffed hours it waits for the next shift.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.checks import member_is_facilitator
from bot.interactions import NO_PINGS
from bot.staff import staff_channel
from cogs.support.hours import due_in_hours
from cogs.support.store import Conversation, SupportStore
from cogs.support.talk_views import space_url

if TYPE_CHECKING:
    from bot.client import LanternBot

# The logger keeps the name it had before talk.py was split.
log = logging.getLogger("cogs.support.talk")

JOB_PREFIX = "support:talk:reannounce:"


class Reannouncement:
    """Mixed into `TalkCog`, which provides `bot`, `store`, `_spaces` (ids of open
    conversations' threads/channels), `_load` and `_refresh_notice`."""

    bot: LanternBot
    store: SupportStore
    _spaces: set[int]

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None or message.author.bot or message.channel.id not in self._spaces:
            return
        conversation = await self.store.by_space(message.channel.id)
        if conversation is None or not conversation.open:
            return
        now = self.bot.clock.now()
        if message.author.id == conversation.user_id:
            if await self.store.person_wrote(conversation.id, now):
                await self._arm(await self._load(conversation.id), now)
            return
        config = await self.bot.guild_configs.get(message.guild.id)
        if not isinstance(message.author, discord.Member) or not member_is_facilitator(
            message.author, config
        ):
            return
        if await self.store.staff_replied(conversation.id, message.author.id, now):
            self.bot.scheduler.remove(f"{JOB_PREFIX}{conversation.id}")
            if conversation.first_reply_at is None:
                await self._refresh_notice(message.guild, await self._load(conversation.id))

    async def _arm(self, conversation: Conversation, now: datetime) -> None:
        minutes = await self.store.reannounce_minutes(conversation.guild_id)
        windows, zone = await self.store.hours(conversation.guild_id)
        due = due_in_hours(windows, zone or "UTC", now + timedelta(minutes=minutes))
        await self.store.schedule_reannounce(conversation.id, due)
        self._schedule(conversation.id, due, due)

    def _schedule(self, conversation_id: int, run_at: datetime, due: datetime) -> None:
        # grace None: one due while the bot was down runs as soon as it is back.
        self.bot.scheduler.at(
            f"{JOB_PREFIX}{conversation_id}",
            run_at,
            self.reannounce,
            conversation_id,
            due.isoformat(),
            grace_seconds=None,
        )

    async def reannounce(self, conversation_id: int, due_iso: str) -> None:
        await self.bot.wait_until_ready()  # rebuilt jobs may fire before the server is known
        conversation = await self.store.conversation(conversation_id)
        if conversation is None or not conversation.open or conversation.waiting_since is None:
            return
        guild = self.bot.get_guild(conversation.guild_id)
        if guild is None:
            return
        now = self.bot.clock.now()
        minutes = await self.store.reannounce_minutes(guild.id)
        windows, zone = await self.store.hours(guild.id)
        next_at = due_in_hours(windows, zone or "UTC", now + timedelta(minutes=minutes))
        if not await self.store.claim_reannounce(
            conversation_id, datetime.fromisoformat(due_iso), next_at, now
        ):
            return
        self._schedule(conversation_id, next_at, next_at)
        config = await self.bot.guild_configs.get(guild.id)
        channel = staff_channel(guild, config, "escalation") or staff_channel(guild, config, "log")
        if channel is None:
            log.error("nowhere to re-announce a conversation", extra={"id": conversation_id})
            return
        waited = max(int((now - conversation.waiting_since).total_seconds() // 60), 1)
        role = guild.get_role(config.facilitator_role_id or 0) if config else None
        # Someone claimed it: remind them rather than ping everyone.
        if conversation.claimed_by:
            target, mentions = (
                f"<@{conversation.claimed_by}>",
                discord.AllowedMentions(users=[discord.Object(conversation.claimed_by)]),
            )
        elif role is not None:
            target, mentions = role.mention, discord.AllowedMentions(roles=[role])
        else:
            target, mentions = "", NO_PINGS
        text = (
            # No mention of the person: a line Lantern can't edit later must not name them.
            f"{target} 💬 Conversation #{conversation.id} has "
            f"waited {waited} minute(s) for a reply ({conversation.reannounces + 1} reminder"
            f"{'s' if conversation.reannounces else ''}): "
            f"{space_url(guild.id, conversation.space_id)}"
        ).strip()
        try:
            await channel.send(text, allowed_mentions=mentions)
        except discord.HTTPException as exc:
            log.error("could not re-announce a conversation", extra={"status": exc.status})
