"""Permission maths, the way Discord computes it.

Base permissions: the owner has everything; otherwise @everyone's permissions OR every role
the member has; ADMINISTRATOR means everything. Channel permissions then apply overwrites in
order: @everyone's, then all the member's roles combined (deny first, then allow), then the
member's own. Threads use their parent's permissions (private threads also need membership
or MANAGE_THREADS). Implicit rules: without VIEW_CHANNEL a member has nothing in the channel;
without SEND_MESSAGES they cannot mention everyone, attach, embed or send TTS; a member in
timeout keeps only VIEW_CHANNEL and READ_MESSAGE_HISTORY.
"""

from __future__ import annotations

import datetime as dt
from enum import IntFlag
from typing import Any

from emulator.model import (
    CATEGORY,
    MEMBER_OVERWRITE,
    PRIVATE_THREAD,
    Channel,
    Guild,
    Member,
    Role,
)


class P(IntFlag):
    """Discord permission bits (same numbers as `discord.Permissions`)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    PRIORITY_SPEAKER = 1 << 8
    STREAM = 1 << 9
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    VIEW_GUILD_INSIGHTS = 1 << 19
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    MUTE_MEMBERS = 1 << 22
    DEAFEN_MEMBERS = 1 << 23
    MOVE_MEMBERS = 1 << 24
    USE_VAD = 1 << 25
    CHANGE_NICKNAME = 1 << 26
    MANAGE_NICKNAMES = 1 << 27
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    MANAGE_GUILD_EXPRESSIONS = 1 << 30
    USE_APPLICATION_COMMANDS = 1 << 31
    REQUEST_TO_SPEAK = 1 << 32
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    USE_EXTERNAL_STICKERS = 1 << 37
    SEND_MESSAGES_IN_THREADS = 1 << 38
    USE_EMBEDDED_ACTIVITIES = 1 << 39
    MODERATE_MEMBERS = 1 << 40
    VIEW_CREATOR_MONETIZATION_ANALYTICS = 1 << 41
    USE_SOUNDBOARD = 1 << 42
    CREATE_GUILD_EXPRESSIONS = 1 << 43
    CREATE_EVENTS = 1 << 44
    USE_EXTERNAL_SOUNDS = 1 << 45
    SEND_VOICE_MESSAGES = 1 << 46
    SET_VOICE_CHANNEL_STATUS = 1 << 48
    SEND_POLLS = 1 << 49
    USE_EXTERNAL_APPS = 1 << 50
    PIN_MESSAGES = 1 << 51
    BYPASS_SLOWMODE = 1 << 52


ALL = 0
for _flag in P:
    ALL |= _flag.value
NONE = 0

DEFAULT_EVERYONE = (
    P.CREATE_INSTANT_INVITE
    | P.CHANGE_NICKNAME
    | P.VIEW_CHANNEL
    | P.SEND_MESSAGES
    | P.SEND_MESSAGES_IN_THREADS
    | P.CREATE_PUBLIC_THREADS
    | P.CREATE_PRIVATE_THREADS
    | P.EMBED_LINKS
    | P.ATTACH_FILES
    | P.ADD_REACTIONS
    | P.USE_EXTERNAL_EMOJIS
    | P.USE_EXTERNAL_STICKERS
    | P.MENTION_EVERYONE
    | P.READ_MESSAGE_HISTORY
    | P.USE_APPLICATION_COMMANDS
    | P.CONNECT
    | P.SPEAK
    | P.STREAM
    | P.USE_VAD
    | P.SEND_VOICE_MESSAGES
    | P.SEND_POLLS
)
"""Roughly what a new server's @everyone role has."""

DEFAULT_BOT = (
    P.VIEW_CHANNEL
    | P.SEND_MESSAGES
    | P.SEND_MESSAGES_IN_THREADS
    | P.EMBED_LINKS
    | P.ATTACH_FILES
    | P.ADD_REACTIONS
    | P.READ_MESSAGE_HISTORY
    | P.MENTION_EVERYONE
    | P.USE_APPLICATION_COMMANDS
    | P.MANAGE_CHANNELS
    | P.MANAGE_ROLES
    | P.MANAGE_MESSAGES
    | P.MANAGE_THREADS
    | P.CREATE_PUBLIC_THREADS
    | P.CREATE_PRIVATE_THREADS
    | P.MANAGE_EVENTS
    | P.MANAGE_NICKNAMES
    | P.MODERATE_MEMBERS
    | P.KICK_MEMBERS
)
"""What the emulated bot's integration role gets unless a test says otherwise."""

_NEEDS_SEND = P.MENTION_EVERYONE | P.SEND_TTS_MESSAGES | P.ATTACH_FILES | P.EMBED_LINKS
_KEPT_IN_TIMEOUT = P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY


def as_bits(value: Any) -> int:
    """Accept an int, a `P`, a numeric string, or anything with `.value` (discord.Permissions)."""
    if value is None:
        return 0
    if isinstance(value, str):
        return int(value)
    if isinstance(value, int):
        return int(value)
    return int(value.value)


def member_roles(guild: Guild, member: Member) -> list[Role]:
    return [guild.roles[r] for r in member.roles if r in guild.roles]


def base_permissions(guild: Guild, member: Member) -> int:
    """Guild-level permissions of a member (no channel overwrites)."""
    if member.id == guild.owner_id:
        return ALL
    bits = guild.everyone.permissions
    for role in member_roles(guild, member):
        bits |= role.permissions
    if bits & P.ADMINISTRATOR:
        return ALL
    return bits


def is_admin(guild: Guild, member: Member) -> bool:
    return member.id == guild.owner_id or bool(base_permissions(guild, member) & P.ADMINISTRATOR)


def timed_out(member: Member, now: dt.datetime) -> bool:
    until = member.communication_disabled_until
    return until is not None and until > now


def apply_overwrites(guild: Guild, member: Member, channel: Channel, base: int) -> int:
    bits = base
    everyone = channel.overwrites.get(guild.id)
    if everyone is not None:
        bits = (bits & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for role_id in member.roles:
        overwrite = channel.overwrites.get(role_id)
        if overwrite is not None and overwrite.type != MEMBER_OVERWRITE:
            allow |= overwrite.allow
            deny |= overwrite.deny
    bits = (bits & ~deny) | allow
    own = channel.overwrites.get(member.id)
    if own is not None and own.type == MEMBER_OVERWRITE:
        bits = (bits & ~own.deny) | own.allow
    return bits


def channel_permissions(guild: Guild, member: Member, channel: Channel, now: dt.datetime) -> int:
    """Permissions of a member in a guild channel or thread, implicit rules included."""
    if channel.is_thread:
        parent = guild.channels.get(channel.parent_id or 0)
        if parent is None:
            return NONE
        bits = channel_permissions(guild, member, parent, now)
        if (
            channel.type == PRIVATE_THREAD
            and member.id not in channel.thread_members
            and not bits & P.MANAGE_THREADS
        ):
            return NONE
        return bits
    base = base_permissions(guild, member)
    if base == ALL:
        return ALL
    bits = apply_overwrites(guild, member, channel, base)
    if not bits & P.VIEW_CHANNEL:
        return NONE
    if channel.type != CATEGORY and not bits & P.SEND_MESSAGES:
        bits &= ~_NEEDS_SEND
    if timed_out(member, now):
        bits &= _KEPT_IN_TIMEOUT
    return bits


def guild_permissions(guild: Guild, member: Member, now: dt.datetime) -> int:
    """Guild-level permissions with the timeout rule applied."""
    bits = base_permissions(guild, member)
    if bits != ALL and timed_out(member, now):
        bits &= _KEPT_IN_TIMEOUT
    return bits


def top_position(guild: Guild, member: Member) -> int:
    """Position of the member's highest role (0 = only @everyone)."""
    return max((r.position for r in member_roles(guild, member)), default=0)


def outranks(guild: Guild, actor: Member, target: Member) -> bool:
    """Whether `actor` may moderate `target` by the role hierarchy (owner beats everyone)."""
    if target.id == guild.owner_id:
        return False
    if actor.id == guild.owner_id:
        return True
    return top_position(guild, actor) > top_position(guild, target)


def can_manage_role(guild: Guild, actor: Member, role: Role) -> bool:
    """Whether `actor`'s highest role is above `role` (or actor owns the guild)."""
    if actor.id == guild.owner_id:
        return True
    return top_position(guild, actor) > role.position


def names(bits: int) -> list[str]:
    """Readable permission names, for error messages."""
    return [flag.name or str(flag.value) for flag in P if bits & flag.value]
