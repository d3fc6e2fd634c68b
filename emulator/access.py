"""Lookups that 404 like Discord, and permission checks that 403 like Discord.

Used by the REST routes for the bot, and (through `perms_in`/`can_view`) by the driver for
emulated people, so both sides obey the same maths.
"""

from __future__ import annotations

from emulator.errors import missing_access, missing_permissions, unknown
from emulator.model import Channel, Guild, Member, Message, Role, ScheduledEvent
from emulator.permissions import ALL, P, channel_permissions, guild_permissions, names
from emulator.state import World


def channel_or_404(world: World, channel_id: int) -> Channel:
    channel = world.channels.get(channel_id)
    if channel is None:
        raise unknown("channel")
    return channel


def guild_or_404(world: World, guild_id: int) -> Guild:
    guild = world.guilds.get(guild_id)
    if guild is None or world.bot.id not in guild.members:
        raise unknown("guild")
    return guild


def member_or_404(guild: Guild, user_id: int) -> Member:
    member = guild.members.get(user_id)
    if member is None:
        raise unknown("member")
    return member


def role_or_404(guild: Guild, role_id: int) -> Role:
    role = guild.roles.get(role_id)
    if role is None:
        raise unknown("role")
    return role


def event_or_404(guild: Guild, event_id: int) -> ScheduledEvent:
    event = guild.scheduled_events.get(event_id)
    if event is None:
        raise unknown("event")
    return event


def message_or_404(world: World, channel: Channel, message_id: int) -> Message:
    message = world.messages.get(message_id)
    if (
        message is None
        or message.deleted
        or message.channel_id != channel.id
        or message.ephemeral_for is not None
    ):
        raise unknown("message")
    return message


def perms_in(world: World, user_id: int, channel: Channel) -> int:
    """What `user_id` may do in `channel` (DM participants may read and write their DM)."""
    if channel.guild_id is None:
        if user_id in channel.recipients or user_id == world.bot.id:
            return int(
                P.VIEW_CHANNEL
                | P.SEND_MESSAGES
                | P.READ_MESSAGE_HISTORY
                | P.EMBED_LINKS
                | P.ATTACH_FILES
                | P.ADD_REACTIONS
                | P.USE_APPLICATION_COMMANDS
            )
        return 0
    guild = world.guilds[channel.guild_id]
    member = guild.members.get(user_id)
    if member is None:
        return 0
    return channel_permissions(guild, member, channel, world.clock.now())


def can_view(world: World, user_id: int, channel: Channel) -> bool:
    return bool(perms_in(world, user_id, channel) & P.VIEW_CHANNEL)


def can_see_message(world: World, user_id: int, message: Message) -> bool:
    if message.deleted:
        return False
    if message.ephemeral_for is not None:
        return message.ephemeral_for == user_id
    return can_view(world, user_id, world.channels[message.channel_id])


def bot_channel(world: World, channel_id: int) -> tuple[Channel, int]:
    """The channel (404 if unknown) and the bot's permissions there (403 if it cannot see it)."""
    channel = channel_or_404(world, channel_id)
    bits = perms_in(world, world.bot.id, channel)
    if channel.guild_id is not None and world.bot.id not in world.guilds[channel.guild_id].members:
        raise unknown("channel")
    if not bits & P.VIEW_CHANNEL:
        raise missing_access(f"the bot cannot view {_where(channel)}")
    return channel, bits


def require(bits: int, needed: int, action: str) -> None:
    """403 50013 unless every bit of `needed` is in `bits`."""
    missing = needed & ~bits
    if missing:
        raise missing_permissions(f"{action} needs {', '.join(names(missing))}")


def bot_guild_perms(world: World, guild: Guild) -> tuple[Member, int]:
    bot = guild.members.get(world.bot.id)
    if bot is None:
        raise missing_access("the bot is not in this guild")
    return bot, guild_permissions(guild, bot, world.clock.now())


def require_grantable(held: int, requested: int, action: str) -> None:
    """Discord: you can only grant or deny permissions you have yourself (unless admin)."""
    if held == ALL:
        return
    extra = requested & ~held
    if extra:
        raise missing_permissions(f"{action}: the bot cannot grant {', '.join(names(extra))}")


def _where(channel: Channel) -> str:
    return f"#{channel.name}" if channel.name else f"channel {channel.id}"
