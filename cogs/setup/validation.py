"""What `/setup server` refuses: each check raises a private `UserError` (or a `problem`)
that says what to choose instead, before anything is saved."""

from __future__ import annotations

import discord

from bot import permissions
from bot.errors import UserError
from bot.inputs import canonical_timezone, problem, quoted
from config.resources import ResourceTable


def timezone(typed: str | None) -> str | None:
    """The canonical IANA name for what was typed (None when the option was left out)."""
    if typed is None:
        return None
    zone = canonical_timezone(typed)
    if zone is None:
        raise problem(
            "timezone",
            f"I don't know the timezone `{quoted(typed)}`. Pick one from the list as you "
            "type, e.g. `America/Chicago` or `Europe/London`.",
        )
    return zone


def region(typed: str | None, resources: ResourceTable) -> str | None:
    """The crisis-resource region code for what was typed (None when left out)."""
    if typed is None:
        return None
    code = typed.strip().upper()
    if code not in resources.regions:
        known = ", ".join(resources.codes())
        raise UserError(f"Unknown crisis-resource region. Choose one of: {known}.")
    return code


def roles(
    guild: discord.Guild, facilitator: discord.Role | None, alumni: discord.Role | None
) -> None:
    """Both roles can be given to people by Lantern, and they are two different roles."""
    for role in (facilitator, alumni):
        if role is not None:
            _role(guild, role)
    if facilitator and alumni and facilitator == alumni:
        raise UserError("The facilitator role and the alumni role must be different roles.")


def staff_channels(
    guild: discord.Guild,
    escalation: discord.TextChannel | None,
    log: discord.TextChannel | None,
) -> None:
    """Each chosen staff channel is private and usable by Lantern."""
    for channel, needs in ((escalation, "escalation"), (log, "log")):
        if channel is not None:
            _staff_channel(guild, channel, needs)


def _role(guild: discord.Guild, role: discord.Role) -> None:
    if role.is_default():
        raise UserError("@everyone can't be used here: choose or create a dedicated role.")
    if role.managed:
        raise UserError(
            f"{role.mention} is managed by an integration and can't be given to people. "
            "Choose another role."
        )
    if role >= guild.me.top_role:
        raise UserError(
            f"My highest role is not above {role.mention}, so I couldn't give it to people. "
            "In Server Settings > Roles, drag my role above it, then try again."
        )


def _staff_channel(guild: discord.Guild, channel: discord.TextChannel, kind: str) -> None:
    if channel.permissions_for(guild.default_role).view_channel:
        raise UserError(
            f"{channel.mention} is visible to everyone. Staff channels hold private health "
            "information: choose a channel hidden from @everyone, or use "
            "`create_missing: True` to let me create a private one."
        )
    lacking = permissions.missing(
        channel.permissions_for(guild.me), permissions.CHANNEL_PERMISSIONS[kind][:3]
    )
    if lacking:
        names = ", ".join(f"**{permissions.label(p)}**" for p, _ in lacking)
        raise UserError(f"I need {names} in {channel.mention} before I can use it.")
