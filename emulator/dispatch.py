"""Who receives which gateway event.

Every state change goes through `Dispatcher.emit`, which decides:
- whether the bot gets it: the bot identified with the event's intent, is in the guild, and
  can VIEW the channel the event is about (same permission maths as everything else) -- except
  CHANNEL_UPDATE/CHANNEL_DELETE of guild channels, which bots get for every channel; guild
  message content is blanked without the MESSAGE_CONTENT intent, as Discord does;
- which emulated people would have got it (same view rules, per member), recorded so tests
  can ask `emulator.events_for(alice)`.
Events caused by the bot's own REST calls are emitted too, as Discord does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from emulator import payloads
from emulator.model import Channel, Guild, Member, Message
from emulator.permissions import P, channel_permissions
from emulator.state import World


class Intents:
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    MESSAGE_CONTENT = 1 << 15
    GUILD_SCHEDULED_EVENTS = 1 << 16


_GUILD_INTENT = {
    "GUILD_CREATE": Intents.GUILDS,
    "GUILD_ROLE_CREATE": Intents.GUILDS,
    "GUILD_ROLE_UPDATE": Intents.GUILDS,
    "GUILD_ROLE_DELETE": Intents.GUILDS,
    "CHANNEL_CREATE": Intents.GUILDS,
    "CHANNEL_UPDATE": Intents.GUILDS,
    "CHANNEL_DELETE": Intents.GUILDS,
    "THREAD_CREATE": Intents.GUILDS,
    "THREAD_UPDATE": Intents.GUILDS,
    "THREAD_DELETE": Intents.GUILDS,
    "THREAD_MEMBERS_UPDATE": Intents.GUILDS,
    "GUILD_MEMBER_ADD": Intents.GUILD_MEMBERS,
    "GUILD_MEMBER_UPDATE": Intents.GUILD_MEMBERS,
    "GUILD_MEMBER_REMOVE": Intents.GUILD_MEMBERS,
    "MESSAGE_CREATE": Intents.GUILD_MESSAGES,
    "MESSAGE_UPDATE": Intents.GUILD_MESSAGES,
    "MESSAGE_DELETE": Intents.GUILD_MESSAGES,
    "MESSAGE_DELETE_BULK": Intents.GUILD_MESSAGES,
    "MESSAGE_REACTION_ADD": Intents.GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE": Intents.GUILD_MESSAGE_REACTIONS,
    "GUILD_SCHEDULED_EVENT_CREATE": Intents.GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_UPDATE": Intents.GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_DELETE": Intents.GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_USER_ADD": Intents.GUILD_SCHEDULED_EVENTS,
}
_DM_INTENT = {
    "MESSAGE_CREATE": Intents.DIRECT_MESSAGES,
    "MESSAGE_UPDATE": Intents.DIRECT_MESSAGES,
    "MESSAGE_DELETE": Intents.DIRECT_MESSAGES,
    "MESSAGE_REACTION_ADD": Intents.DIRECT_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE": Intents.DIRECT_MESSAGE_REACTIONS,
}


class BotLink(Protocol):
    """What the dispatcher needs from the gateway."""

    @property
    def intents(self) -> int | None: ...

    def dispatch(self, event: str, data: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class ReceivedEvent:
    type: str
    data: dict[str, Any]


class Dispatcher:
    def __init__(self, world: World, link: BotLink, *, record_members: bool = True) -> None:
        self.world = world
        self.link = link
        self.record_members = record_members
        self.received: dict[int, list[ReceivedEvent]] = defaultdict(list)

    # --- core ------------------------------------------------------------------------------

    def can_view(self, guild: Guild, member: Member | None, channel: Channel | None) -> bool:
        if member is None:
            return False
        if channel is None:
            return True
        bits = channel_permissions(guild, member, channel, self.world.clock.now())
        return bool(bits & P.VIEW_CHANNEL)

    def emit(
        self,
        event: str,
        data: dict[str, Any],
        *,
        guild: Guild | None = None,
        channel: Channel | None = None,
        users: Iterable[int] = (),
        message: Message | None = None,
        to_bot: bool = True,
        record: bool = True,
        bot_needs_view: bool = True,
    ) -> None:
        """Send `event` to the bot (if it would get it) and record it for people.

        `guild` (+ `channel`) for guild events; `users` for DM events (the participants).
        `bot_needs_view=False`: the bot gets it as a guild member even without VIEW_CHANNEL.
        """
        world = self.world
        bot_id = world.bot.id
        user_ids = list(users)
        if guild is not None:
            bot_member = guild.members.get(bot_id)
            if bot_needs_view:
                bot_gets = self.can_view(guild, bot_member, channel)
            else:
                bot_gets = bot_member is not None
            intent = _GUILD_INTENT.get(event)
        else:
            bot_gets = bot_id in user_ids
            intent = _DM_INTENT.get(event)
        if to_bot and bot_gets and self._bot_subscribed(intent):
            self.link.dispatch(event, self._for_bot(event, data, message))
        if record and self.record_members:
            if guild is not None:
                user_ids = [
                    m.id for m in guild.members.values() if self.can_view(guild, m, channel)
                ]
            for user_id in user_ids:
                if user_id != bot_id:
                    self.received[user_id].append(ReceivedEvent(event, data))
        world.touch()

    def _bot_subscribed(self, intent: int | None) -> bool:
        intents = self.link.intents
        return intents is not None and (intent is None or bool(intents & intent))

    def _for_bot(self, event: str, data: dict[str, Any], message: Message | None) -> dict[str, Any]:
        intents = self.link.intents or 0
        if message is None or message.guild_id is None or intents & Intents.MESSAGE_CONTENT:
            return data
        bot_id = self.world.bot.id
        if message.author.id == bot_id or bot_id in message.mentions:
            return data
        return {**data, "content": "", "embeds": [], "attachments": [], "components": []}

    # --- typed helpers -------------------------------------------------------------------

    def _where(self, channel: Channel) -> tuple[Guild | None, list[int]]:
        if channel.guild_id is None:
            return None, [*channel.recipients, self.world.bot.id]
        return self.world.guilds[channel.guild_id], []

    def message_create(self, message: Message) -> None:
        self._message_event("MESSAGE_CREATE", message)

    def message_update(self, message: Message) -> None:
        self._message_event("MESSAGE_UPDATE", message)

    def _message_event(self, event: str, message: Message) -> None:
        channel = self.world.channels[message.channel_id]
        data = payloads.message(self.world, message)
        if message.ephemeral_for is not None:
            # Only the person it is for ever sees an ephemeral message; the bot gets nothing.
            if self.record_members:
                self.received[message.ephemeral_for].append(ReceivedEvent(event, data))
            self.world.touch()
            return
        guild, users = self._where(channel)
        self.emit(event, data, guild=guild, channel=channel, users=users, message=message)

    def message_delete(self, message: Message) -> None:
        channel = self.world.channels[message.channel_id]
        data: dict[str, Any] = {"id": str(message.id), "channel_id": str(channel.id)}
        if channel.guild_id is not None:
            data["guild_id"] = str(channel.guild_id)
        if message.ephemeral_for is not None:
            if self.record_members:
                self.received[message.ephemeral_for].append(ReceivedEvent("MESSAGE_DELETE", data))
            self.world.touch()
            return
        guild, users = self._where(channel)
        self.emit("MESSAGE_DELETE", data, guild=guild, channel=channel, users=users)

    def message_delete_bulk(self, channel: Channel, ids: list[int]) -> None:
        data = {
            "ids": [str(i) for i in ids],
            "channel_id": str(channel.id),
            "guild_id": str(channel.guild_id),
        }
        guild, users = self._where(channel)
        self.emit("MESSAGE_DELETE_BULK", data, guild=guild, channel=channel, users=users)

    def reaction_event(self, event: str, message: Message, user_id: int, emoji: str) -> None:
        """MESSAGE_REACTION_ADD or MESSAGE_REACTION_REMOVE."""
        channel = self.world.channels[message.channel_id]
        name, _, emoji_id = emoji.partition(":")
        data: dict[str, Any] = {
            "user_id": str(user_id),
            "channel_id": str(channel.id),
            "message_id": str(message.id),
            "message_author_id": str(message.author.id),
            "emoji": {"id": emoji_id or None, "name": name},
            "burst": False,
            "type": 0,
        }
        guild, users = self._where(channel)
        if guild is not None:
            data["guild_id"] = str(guild.id)
            reactor = guild.members.get(user_id)
            if reactor is not None and event == "MESSAGE_REACTION_ADD":
                data["member"] = payloads.member(reactor)
        self.emit(event, data, guild=guild, channel=channel, users=users)

    def channel_event(self, event: str, channel: Channel) -> None:
        """CHANNEL_CREATE/UPDATE/DELETE, or THREAD_* for threads."""
        guild = self.world.guilds[channel.guild_id or 0]
        if channel.is_thread:
            event = event.replace("CHANNEL_", "THREAD_")
        if event == "THREAD_DELETE":
            data: dict[str, Any] = {
                "id": str(channel.id),
                "guild_id": str(guild.id),
                "parent_id": str(channel.parent_id),
                "type": channel.type,
            }
        else:
            data = payloads.channel(self.world, channel, member_of=self.world.bot.id)
            if event == "THREAD_CREATE":
                data["newly_created"] = True
        # Bots hold every guild channel (GUILD_CREATE lists them all), so an update or delete
        # reaches the bot even when it cannot (or can no longer) view it: an overwrite that
        # hides a channel from the bot must still reach its cache.
        keeps_all = not channel.is_thread and event in ("CHANNEL_UPDATE", "CHANNEL_DELETE")
        self.emit(event, data, guild=guild, channel=channel, bot_needs_view=not keeps_all)

    def thread_members_update(
        self, thread: Channel, added: Iterable[int] = (), removed: Iterable[int] = ()
    ) -> None:
        guild = self.world.guilds[thread.guild_id or 0]
        added_payloads = []
        for user_id in added:
            entry = payloads.thread_member(thread, user_id)
            joined = guild.members.get(user_id)
            if joined is not None:
                entry["member"] = payloads.member(joined)
            added_payloads.append(entry)
        data = {
            "id": str(thread.id),
            "guild_id": str(guild.id),
            "member_count": min(len(thread.thread_members), 50),
            "added_members": added_payloads,
            "removed_member_ids": [str(u) for u in removed],
        }
        self.emit("THREAD_MEMBERS_UPDATE", data, guild=guild, channel=thread)

    def role_event(self, event: str, guild: Guild, role_id: int) -> None:
        if event == "GUILD_ROLE_DELETE":
            data: dict[str, Any] = {"guild_id": str(guild.id), "role_id": str(role_id)}
        else:
            data = {"guild_id": str(guild.id), "role": payloads.role(guild.roles[role_id])}
        self.emit(event, data, guild=guild)

    def member_event(
        self, event: str, guild: Guild, member: Member, *, to_bot: bool = True
    ) -> None:
        if event == "GUILD_MEMBER_REMOVE":
            data: dict[str, Any] = {"guild_id": str(guild.id), "user": payloads.user(member.user)}
        else:
            data = payloads.member_event(member)
        # Not recorded for people: every member would get every join, O(n^2) to build a big
        # server, and no test reads member-list events.
        self.emit(event, data, guild=guild, to_bot=to_bot, record=False)

    def scheduled_event(self, event: str, guild: Guild, event_id: int) -> None:
        record = guild.scheduled_events[event_id]
        channel = guild.channels.get(record.channel_id or 0)
        data = payloads.scheduled_event(self.world, record)
        self.emit(event, data, guild=guild, channel=channel)

    def guild_available(self, guild: Guild) -> None:
        """GUILD_CREATE after the bot joins a guild while connected."""
        intents = self.link.intents or 0
        data = payloads.guild_create(
            self.world,
            guild,
            for_user=self.world.bot.id,
            with_members=bool(intents & Intents.GUILD_MEMBERS),
        )
        data.pop("unavailable", None)
        self.emit("GUILD_CREATE", data, guild=guild, record=False)

    def interaction_create(self, data: dict[str, Any]) -> None:
        if self.link.intents is not None:
            self.link.dispatch("INTERACTION_CREATE", data)
        self.world.touch()
