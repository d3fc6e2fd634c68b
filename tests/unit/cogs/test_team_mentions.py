"""A care team's mentions always fit in a message, and ping exactly whom they show."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import discord

from cogs.cohorts.team_post import MENTION_ROOM, team_mentions


def guild_with_roles(*role_ids: int) -> discord.Guild:
    roles = {i: SimpleNamespace(id=i, mention=f"<@&{i}>") for i in role_ids}
    return cast(discord.Guild, SimpleNamespace(get_role=roles.get))


def test_a_large_team_is_cut_to_fit_and_pings_only_those_shown() -> None:
    users = [10**18 + n for n in range(200)]  # 200 people: ~4,400 characters of mentions
    text, allowed = team_mentions(guild_with_roles(7), users, [7, 8])  # role 8 was deleted
    assert len(text) <= MENTION_ROOM
    assert text.startswith("<@&7> ")  # roles first: one reaches many
    shown = text.split()[1:]
    assert [f"<@{u.id}>" for u in allowed.users] == shown  # type: ignore[union-attr]
    assert [r.id for r in allowed.roles] == [7]  # type: ignore[union-attr]


def test_a_small_team_is_shown_whole() -> None:
    text, allowed = team_mentions(guild_with_roles(), [1, 2], [])
    assert text == "<@1> <@2>" and len(allowed.users) == 2  # type: ignore[arg-type]
