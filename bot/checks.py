"""Authorisation, checked inside every command (Discord's default permissions can be
overridden by server admins, so they are only a convenience for what people see)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import discord

from bot.errors import GuildOnly, NotAuthorized, NotConfigured
from bot.storage.guilds import GuildConfig

if TYPE_CHECKING:
    from bot.client import LanternBot


def member_is_facilitator(member: discord.Member, config: GuildConfig | None) -> bool:
    """A facilitator has the configured facilitator role, or Manage Server."""
    if member.guild_permissions.manage_guild:
        return True
    role_id = config.facilitator_role_id if config else None
    return role_id is not None and any(role.id == role_id for role in member.roles)


def guild_of(interaction: discord.Interaction) -> discord.Guild:
    """The server an interaction came from (commands here are guild-only)."""
    if interaction.guild is None:
        raise GuildOnly()
    return interaction.guild


def _member(interaction: discord.Interaction) -> discord.Member:
    if interaction.guild is None or not isinstance(interaction.user, discord.Member):
        raise GuildOnly()
    return interaction.user


async def configured_guild(interaction: discord.Interaction) -> GuildConfig:
    """The server's complete configuration, or a clear 'run /setup server first'."""
    _member(interaction)
    bot = cast("LanternBot", interaction.client)
    config = await bot.guild_configs.get(interaction.guild_id or 0)
    if config is None or not config.is_complete:
        raise NotConfigured()
    return config


async def require_manage_server(interaction: discord.Interaction) -> discord.Member:
    member = _member(interaction)
    if not member.guild_permissions.manage_guild:
        raise NotAuthorized("Only someone with the **Manage Server** permission can do this.")
    return member


async def require_facilitator(interaction: discord.Interaction) -> GuildConfig:
    """Facilitator of a configured server, or a clear refusal."""
    config = await require_facilitator_any(interaction)
    if config is None or not config.is_complete:
        raise NotConfigured()
    return config


async def require_facilitator_any(interaction: discord.Interaction) -> GuildConfig | None:
    """Facilitator (or Manage Server), whether or not set-up is finished."""
    member = _member(interaction)
    bot = cast("LanternBot", interaction.client)
    config = await bot.guild_configs.get(interaction.guild_id or 0)
    if not member_is_facilitator(member, config):
        raise NotAuthorized("Only facilitators can do this.")
    return config
