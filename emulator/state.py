"""The emulator's world: every user, guild, channel, message and interaction, by id.

Also the clock (injectable: tests move it instead of sleeping), snowflake ids that always
increase, and a change signal so waiters (`World.wait_for`) wake as soon as anything moves.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import Callable
from typing import TypeVar

from emulator.model import (
    DM,
    AppCommand,
    Attachment,
    Channel,
    Guild,
    Interaction,
    Member,
    Message,
    Role,
    ScheduledEvent,
    User,
)

DISCORD_EPOCH_MS = 1_420_070_400_000
T = TypeVar("T")


class Clock:
    """Wall-clock time plus an offset that tests can push forward.

    `advance(minutes=16)` makes every deadline in the emulator (interaction response
    deadline, token expiry, timeouts) see 16 more minutes, without sleeping.
    """

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.time(), dt.UTC)

    def advance(self, seconds: float = 0.0, **delta: float) -> None:
        self.offset += seconds + dt.timedelta(**delta).total_seconds()


class Snowflakes:
    """Discord-style ids from the clock, strictly increasing."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.last = 0

    def next(self) -> int:
        candidate = (int(self.clock.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self.last = max(candidate, self.last + 1)
        return self.last

    def on_shard(self, shard: int, count: int) -> int:
        """The next id of a server carried by `shard` of `count` (its millisecond part moved
        forward by less than `count` ms): tests place servers on the shards they need."""
        stamp = self.next() >> 22
        stamp += (shard - stamp) % count
        self.last = max(stamp << 22, self.last + 1)
        return self.last


class World:
    """All emulated state. Plain lookups return None; REST code turns that into 404s."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()
        self.ids = Snowflakes(self.clock)
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.attachments: dict[int, Attachment] = {}
        self.commands: dict[int, AppCommand] = {}
        self.interactions: dict[int, Interaction] = {}
        self.tokens: dict[str, Interaction] = {}
        # Server admins' per-command overrides (Server Settings > Integrations):
        # (guild_id, command name) -> {role/user id (guild id = @everyone): allowed}
        self.command_overrides: dict[tuple[int, str], dict[int, bool]] = {}
        self.application_id = self.ids.next()
        self.bot = self.add_user("Lantern", bot=True)
        self._changed = asyncio.Event()
        self.version = 0

    # --- change signal -------------------------------------------------------------------

    def touch(self) -> None:
        """Record that something changed, waking every `wait_for`."""
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float,  # noqa: ASYNC109
        *,
        poll: float = 0.01,
        what: str = "",
    ) -> T:
        """Return `predicate()` once it is truthy; raise TimeoutError after `timeout` s.

        Wakes on every change to the world, and also every `poll` seconds so predicates
        about the bot's own objects work too.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"timed out after {timeout:.2f}s waiting for {what or predicate}"
                )
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, poll))

    # --- creation ----------------------------------------------------------------------------

    def add_user(self, username: str, *, bot: bool = False, dms_closed: bool = False) -> User:
        user = User(id=self.ids.next(), username=username, bot=bot, dms_closed=dms_closed)
        self.users[user.id] = user
        return user

    def add_channel(self, channel: Channel) -> Channel:
        self.channels[channel.id] = channel
        if channel.guild_id is not None:
            self.guilds[channel.guild_id].channels[channel.id] = channel
        return channel

    def place_role(self, guild: Guild, role: Role, position: int) -> list[Role]:
        """Put `role` at `position`, moving the others to keep positions distinct.

        Returns the other roles whose position changed. @everyone always stays at 0.
        """
        others = sorted(
            (r for r in guild.roles.values() if r is not role and not r.is_everyone),
            key=lambda r: (r.position, r.id),
        )
        position = max(1, min(position, len(others) + 1))
        ordered = [*others[: position - 1], role, *others[position - 1 :]]
        moved = []
        for index, each in enumerate(ordered, start=1):
            if each.position != index and each is not role:
                moved.append(each)
            each.position = index
        guild.roles[role.id] = role
        return moved

    def remove_channel(self, channel: Channel) -> None:
        self.channels.pop(channel.id, None)
        if channel.guild_id is not None:
            self.guilds[channel.guild_id].channels.pop(channel.id, None)

    def add_message(self, message: Message) -> Message:
        self.messages[message.id] = message
        for attachment in message.attachments:
            self.attachments[attachment.id] = attachment
        channel = self.channels[message.channel_id]
        channel.message_ids.append(message.id)
        if message.ephemeral_for is None:
            channel.last_message_id = message.id
        if channel.is_thread:
            channel.message_count += 1
            channel.total_message_sent += 1
        return message

    def dm_channel(self, user_id: int) -> Channel:
        """The DM channel between the bot and a user (created on first use)."""
        for channel in self.channels.values():
            if channel.type == DM and channel.recipients == [user_id]:
                return channel
        channel = Channel(id=self.ids.next(), type=DM, name=None, recipients=[user_id])
        return self.add_channel(channel)

    # --- lookups -------------------------------------------------------------------------------

    def member(self, guild_id: int | None, user_id: int) -> Member | None:
        guild = self.guilds.get(guild_id or 0)
        return guild.members.get(user_id) if guild else None

    def bot_member(self, guild_id: int) -> Member | None:
        return self.member(guild_id, self.bot.id)

    def role(self, guild_id: int, role_id: int) -> Role | None:
        guild = self.guilds.get(guild_id)
        return guild.roles.get(role_id) if guild else None

    def event(self, guild_id: int, event_id: int) -> ScheduledEvent | None:
        guild = self.guilds.get(guild_id)
        return guild.scheduled_events.get(event_id) if guild else None

    def channel_messages(
        self, channel: Channel, *, include_ephemeral: bool = False
    ) -> list[Message]:
        """Live messages in a channel, oldest first."""
        found = []
        for message_id in channel.message_ids:
            message = self.messages[message_id]
            if message.deleted:
                continue
            if message.ephemeral_for is not None and not include_ephemeral:
                continue
            found.append(message)
        return found

    def shared_guild(self, user_a: int, user_b: int) -> bool:
        return any(user_a in g.members and user_b in g.members for g in self.guilds.values())

    def commands_for(self, guild_id: int | None) -> list[AppCommand]:
        """Synced commands usable in a guild (guild ones first), or global ones for DMs."""
        scoped = [c for c in self.commands.values() if guild_id and c.guild_id == guild_id]
        global_ = [c for c in self.commands.values() if c.guild_id is None]
        return scoped + global_
