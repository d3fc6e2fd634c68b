"""Authorisation, checked inside every command (Discord's default permissions can be
overridden by server admins, so they are only a convenience for what people see)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from bot.errors import GuildOnly, NotAuthorized, NotConfigured
from bot.storage.guilds import GuildConfig

if TYPE_CHECKING:
    from bot.client import LanternBot

T = TypeVar("T")


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
    bot: LanternBot = interaction.client  # type: ignore[assignment]
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
    bot: LanternBot = interaction.client  # type: ignore[assignment]
    config = await bot.guild_configs.get(interaction.guild_id or 0)
    if not member_is_facilitator(member, config):
        raise NotAuthorized("Only facilitators can do this.")
    return config


def is_facilitator() -> Callable[[T], T]:
    """Decorator form of require_facilitator for whole commands."""

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        await require_facilitator(interaction)
        return True

    return app_commands.check(predicate)


def manages_server() -> Callable[[T], T]:
    """Shown by default only to Manage Server holders, and checked at run time too."""

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        await require_manage_server(interaction)
        return True

    def decorator(func: T) -> T:
        func = app_commands.default_permissions(manage_guild=True)(func)
        return app_commands.check(predicate)(func)

    return decorator


def server_configured() -> Callable[[T], T]:
    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        await configured_guild(interaction)
        return True

    return app_commands.check(predicate)
