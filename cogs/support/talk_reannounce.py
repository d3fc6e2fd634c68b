"""Re-announcing conversations nobody has answered, and the replies that stop it. With a
care team, each re-announcement goes to the team's channel and to program staff as well.

The due time lives in the database (`next_reannounce_at`); `bot.timers.RepeatTimer` arms the
jobs, rebuilds them at start-up and re-arms after each one, and the store's compare-and-set
`claim_reannounce` takes each one, so restarts neither lose nor repeat it. Outside staffed
hours it waits for the next shift.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.interactions import NO_PINGS
from bot.staff import staff_channel
from bot.timers import RepeatTimer
from cogs.cohorts.api import care_team_of, reach_of, reaches_person, team_mentions
from cogs.support import texts
from cogs.support.conversation_store import Conversation, ConversationStore
from cogs.support.hours import due_in_hours
from cogs.support.settings_store import SettingsStore
from cogs.support.talk_notice import space_url

if TYPE_CHECKING:
    from bot.client import LanternBot

# The logger keeps the name it had before talk.py was split.
log = logging.getLogger("cogs.support.talk")

TIMER_NAME = "support:talk:reannounce"
JOB_PREFIX = f"{TIMER_NAME}:"

RefreshNotice = Callable[[discord.Guild, Conversation], Awaitable[None]]


class Reannouncer:
    """Arms a conversation's re-announcement while the person waits for a reply, sends it
    when due, and stops when a facilitator answers or the conversation closes."""

    def __init__(
        self,
        bot: LanternBot,
        conversations: ConversationStore,
        settings: SettingsStore,
        refresh_notice: RefreshNotice,
    ) -> None:
        self._bot = bot
        self._conversations = conversations
        self._settings = settings
        self._refresh_notice = refresh_notice
        self._timer = RepeatTimer(bot.scheduler, bot.clock, TIMER_NAME, self._fire)

    async def start(self) -> None:
        """Re-arm every re-announcement the database still holds (one missed while the bot
        was down runs at once)."""
        self._timer.rebuild(await self._conversations.due_reannouncements())

    def stop(self) -> None:
        self._timer.stop()

    def cancel(self, conversation_id: int) -> None:
        self._timer.cancel(conversation_id)

    async def arm(self, conversation: Conversation, now: datetime) -> None:
        """The person is waiting from `now`: announce again after the server's delay."""
        due = await self._next_due(conversation.guild_id, now)
        await self._conversations.schedule_reannounce(conversation.id, due)
        self._timer.arm(conversation.id, due)

    async def message_in(self, message: discord.Message, conversation: Conversation) -> None:
        """A message in an open conversation: the person waits again, or a facilitator
        answered and nobody is waiting any more."""
        if message.guild is None:
            return
        now = self._bot.clock.now()
        if message.author.id == conversation.user_id:
            if await self._conversations.person_wrote(conversation.id, now):
                await self.arm(conversation, now)
            return
        config = await self._bot.guild_configs.get(message.guild.id)
        if not isinstance(message.author, discord.Member):
            return
        # Program staff, or the care team of a cohort the person is (or was) in.
        reach = await reach_of(self._bot.db, message.author, config)
        if not await reaches_person(self._bot.db, reach, message.guild.id, conversation.user_id):
            return
        if await self._conversations.staff_replied(conversation.id, message.author.id, now):
            self.cancel(conversation.id)
            if conversation.first_reply_at is None:
                await self._refresh_notice(message.guild, conversation)

    async def _next_due(self, guild_id: int, now: datetime) -> datetime:
        minutes = await self._settings.reannounce_minutes(guild_id)
        windows, zone = await self._settings.hours(guild_id)
        return due_in_hours(windows, zone or "UTC", now + timedelta(minutes=minutes))

    async def _fire(self, conversation_id: int, due: datetime, _fired: datetime) -> datetime | None:
        """The timer's work: claim the re-announcement due at `due`, send it, and return
        when the next one is due (None: nobody is waiting any more)."""
        await self._bot.wait_until_ready()  # rebuilt jobs may fire before the server is known
        conversation = await self._conversations.conversation(conversation_id)
        if conversation is None or not conversation.open or conversation.waiting_since is None:
            return None
        if not self._bot.owns_guild(conversation.guild_id):
            return None  # its server moved to another process, which armed its own
        guild = self._bot.get_guild(conversation.guild_id)
        if guild is None:
            return None
        waiting_since = conversation.waiting_since
        now = self._bot.clock.now()  # after waiting for the connection, not when fired
        next_at = await self._next_due(guild.id, now)
        if not await self._conversations.claim_reannounce(conversation_id, due, next_at, now):
            return None
        waited = max(int((now - waiting_since).total_seconds() // 60), 1)
        await self._send(guild, conversation, waited)
        return next_at

    async def _send(self, guild: discord.Guild, conversation: Conversation, waited: int) -> None:
        """To the person's care team in its channel, when they have one, and to program
        staff as well: a team that is away must not leave the person waiting."""
        config = await self._bot.guild_configs.get(guild.id)
        url = space_url(guild.id, conversation.space_id)
        team = await care_team_of(self._bot.db, guild.id, conversation.user_id)
        room = guild.get_channel(team.channel_id or 0) if team else None
        role = guild.get_role(config.facilitator_role_id or 0) if config else None
        target, mentions = "", NO_PINGS
        # Someone claimed it: remind them rather than ping everyone.
        if conversation.claimed_by:
            target, mentions = (
                f"<@{conversation.claimed_by}>",
                discord.AllowedMentions(users=[discord.Object(conversation.claimed_by)]),
            )
        if team is not None and isinstance(room, discord.TextChannel):
            if not conversation.claimed_by:
                target, mentions = team_mentions(guild, team.user_ids, team.role_ids)
            text = texts.reminder_line(
                conversation.id, waited, conversation.reannounces, target, url
            )
            await self._post(room, text, mentions)
            # Program staff's copy pings the facilitator role: the team has been reminded.
            target, mentions = "", NO_PINGS
            if role is not None:
                target, mentions = role.mention, discord.AllowedMentions(roles=[role])
            note = texts.team_waiting(team.cohort_name)
        else:
            note = ""
            if not conversation.claimed_by and role is not None:
                target, mentions = role.mention, discord.AllowedMentions(roles=[role])
        channel = staff_channel(guild, config, "escalation") or staff_channel(guild, config, "log")
        if channel is None:
            log.error("nowhere to re-announce a conversation", extra={"id": conversation.id})
            return
        text = texts.reminder_line(conversation.id, waited, conversation.reannounces, target, url)
        await self._post(channel, f"{text} {note}".strip(), mentions)

    @staticmethod
    async def _post(
        channel: discord.TextChannel, text: str, mentions: discord.AllowedMentions
    ) -> None:
        try:
            await channel.send(text, allowed_mentions=mentions)
        except discord.HTTPException as exc:
            log.error("could not re-announce a conversation", extra={"status": exc.status})
