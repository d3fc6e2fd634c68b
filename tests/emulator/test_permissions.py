"""Permission maths, checked against Discord's documented algorithm."""

from __future__ import annotations

import datetime as dt

import discord

from emulator.model import (
    MEMBER_OVERWRITE,
    PRIVATE_THREAD,
    ROLE_OVERWRITE,
    TEXT,
    Channel,
    Guild,
    Member,
    Overwrite,
    Role,
    User,
)
from emulator.permissions import ALL, DEFAULT_EVERYONE, P, channel_permissions, outranks

NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def make_guild() -> tuple[Guild, Member, Member, Role]:
    guild = Guild(id=1, name="g", owner_id=10)
    guild.roles[1] = Role(1, 1, "@everyone", int(DEFAULT_EVERYONE), 0)
    helper = Role(2, 1, "helper", int(P.MANAGE_MESSAGES), 1)
    guild.roles[2] = helper
    owner = Member(User(10, "owner"), 1, NOW)
    member = Member(User(11, "member"), 1, NOW, roles=[2])
    guild.members.update({10: owner, 11: member})
    return guild, owner, member, helper


def channel(*overwrites: Overwrite) -> Channel:
    return Channel(
        id=100, type=TEXT, name="c", guild_id=1, overwrites={o.id: o for o in overwrites}
    )


def test_bits_match_discord_py() -> None:
    for name, value in discord.Permissions.VALID_FLAGS.items():
        assert value in {flag.value for flag in P}, name
    assert discord.Permissions.all().value == ALL


def test_owner_and_administrator_have_everything() -> None:
    guild, owner, member, helper = make_guild()
    denied = channel(Overwrite(1, ROLE_OVERWRITE, deny=int(P.VIEW_CHANNEL)))
    assert channel_permissions(guild, owner, denied, NOW) == ALL
    helper.permissions |= P.ADMINISTRATOR
    assert channel_permissions(guild, member, denied, NOW) == ALL


def test_overwrites_apply_everyone_then_roles_then_member() -> None:
    guild, _, member, _ = make_guild()
    c = channel(
        Overwrite(1, ROLE_OVERWRITE, deny=int(P.VIEW_CHANNEL | P.SEND_MESSAGES)),
        Overwrite(2, ROLE_OVERWRITE, allow=int(P.VIEW_CHANNEL)),
        Overwrite(11, MEMBER_OVERWRITE, allow=int(P.SEND_MESSAGES)),
    )
    bits = channel_permissions(guild, member, c, NOW)
    assert bits & P.VIEW_CHANNEL and bits & P.SEND_MESSAGES
    c.overwrites.pop(11)
    bits = channel_permissions(guild, member, c, NOW)
    assert bits & P.VIEW_CHANNEL and not bits & P.SEND_MESSAGES
    assert not bits & P.ATTACH_FILES and not bits & P.MENTION_EVERYONE  # implicit: no send


def test_role_deny_wins_over_nothing_but_role_allow_wins_over_role_deny() -> None:
    guild, _, member, _ = make_guild()
    guild.roles[3] = Role(3, 1, "muted", 0, 2)
    member.roles.append(3)
    c = channel(
        Overwrite(2, ROLE_OVERWRITE, allow=int(P.SEND_MESSAGES)),
        Overwrite(3, ROLE_OVERWRITE, deny=int(P.SEND_MESSAGES)),
    )
    assert channel_permissions(guild, member, c, NOW) & P.SEND_MESSAGES


def test_no_view_means_nothing() -> None:
    guild, _, member, _ = make_guild()
    c = channel(Overwrite(11, MEMBER_OVERWRITE, deny=int(P.VIEW_CHANNEL)))
    assert channel_permissions(guild, member, c, NOW) == 0


def test_private_threads_need_membership_or_manage_threads() -> None:
    guild, _, member, _ = make_guild()
    parent = channel()
    guild.channels[parent.id] = parent
    thread = Channel(id=200, type=PRIVATE_THREAD, name="t", guild_id=1, parent_id=parent.id)
    assert channel_permissions(guild, member, thread, NOW) == 0
    thread.thread_members[member.id] = NOW
    assert channel_permissions(guild, member, thread, NOW) & P.SEND_MESSAGES_IN_THREADS


def test_timeout_keeps_only_view_and_history() -> None:
    guild, _, member, _ = make_guild()
    member.communication_disabled_until = NOW + dt.timedelta(minutes=5)
    bits = channel_permissions(guild, member, channel(), NOW)
    assert bits == int(P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY)
    assert (
        channel_permissions(guild, member, channel(), NOW + dt.timedelta(minutes=6))
        & P.SEND_MESSAGES
    )


def test_hierarchy() -> None:
    guild, owner, member, _ = make_guild()
    plain = Member(User(12, "plain"), 1, NOW)
    assert outranks(guild, member, plain)
    assert not outranks(guild, plain, member)
    assert not outranks(guild, member, owner)
    assert outranks(guild, owner, member)
