"""`/setup server create_missing: True`: creating the roles and the private staff area
(category, escalation channel, moderation log) that were not chosen, all or nothing."""

from __future__ import annotations

import logging

import discord

from bot import permissions
from bot.errors import UserError
from bot.rollback import Created
from bot.storage.guilds import GuildConfig

log = logging.getLogger("cogs.setup.cog")  # the name the set-up logs always had

STAFF_CATEGORY = "Lantern staff"
ESCALATION_CHANNEL = "escalations"
LOG_CHANNEL = "mod-log"


def role(guild: discord.Guild, role_id: int | None) -> discord.Role | None:
    return guild.get_role(role_id) if role_id else None


def channel(guild: discord.Guild, channel_id: int | None) -> discord.abc.GuildChannel | None:
    return guild.get_channel(channel_id) if channel_id else None


def staff_overwrites(
    guild: discord.Guild, facilitator: discord.Role
) -> dict[discord.Role | discord.Member, discord.PermissionOverwrite]:
    """Staff channels: hidden from everyone, open to facilitators and Lantern."""
    return {
        guild.default_role: discord.PermissionOverwrite(view_channel=False),
        facilitator: discord.PermissionOverwrite(
            view_channel=True, send_messages=True, read_message_history=True
        ),
        guild.me: discord.PermissionOverwrite(
            view_channel=True,
            send_messages=True,
            embed_links=True,
            read_message_history=True,
            mention_everyone=True,
            create_public_threads=True,
            send_messages_in_threads=True,
            manage_threads=True,
        ),
    }


async def create_missing(
    guild: discord.Guild, config: GuildConfig
) -> tuple[GuildConfig, list[str]]:
    """The config with what was created filled in, and a note per created thing. On a
    Discord refusal everything created so far is deleted again and nothing changes."""
    me = guild.me
    need = []
    if (
        role(guild, config.facilitator_role_id) is None
        or role(guild, config.alumni_role_id) is None
    ):
        need.append("manage_roles")
    if (
        channel(guild, config.escalation_channel_id) is None
        or channel(guild, config.log_channel_id) is None
    ):
        need += ["manage_channels", "manage_roles"]
    lacking = [p for p in dict.fromkeys(need) if not getattr(me.guild_permissions, p)]
    if lacking:
        raise UserError(
            "To create what's missing I need the "
            + ", ".join(f"**{permissions.label(p)}**" for p in lacking)
            + " permission. Give my role that permission, or choose existing roles and "
            "channels instead."
        )
    created = Created()
    notes: list[str] = []
    try:
        facilitator = role(guild, config.facilitator_role_id)
        if facilitator is None:
            facilitator = await guild.create_role(
                name="Facilitator", reason="Lantern set-up: facilitator role"
            )
            created.add(facilitator)
            notes.append(f"role {facilitator.mention}")
            config = config.merged(facilitator_role_id=facilitator.id)
        if role(guild, config.alumni_role_id) is None:
            alumni = await guild.create_role(name="Alumni", reason="Lantern set-up: alumni role")
            created.add(alumni)
            notes.append(f"role {alumni.mention}")
            config = config.merged(alumni_role_id=alumni.id)
        config = await _create_staff_channels(guild, config, facilitator, created, notes)
    except discord.HTTPException as exc:
        await created.undo("Lantern set-up failed; undoing")
        log.warning("set-up creation failed", extra={"guild_id": guild.id, "code": exc.code})
        raise UserError(
            "Discord refused to create the roles or channels "
            f"({exc.status} {exc.text or ''}). Nothing was changed. Run `/setup check` "
            "to see which permission I'm missing."
        ) from exc
    return config, notes


async def _create_staff_channels(
    guild: discord.Guild,
    config: GuildConfig,
    facilitator: discord.Role,
    created: Created,
    notes: list[str],
) -> GuildConfig:
    escalation = channel(guild, config.escalation_channel_id)
    mod_log = channel(guild, config.log_channel_id)
    if escalation is not None and mod_log is not None:
        return config
    overwrites = staff_overwrites(guild, facilitator)
    category = channel(guild, config.staff_category_id)
    if not isinstance(category, discord.CategoryChannel):
        category = await guild.create_category(
            STAFF_CATEGORY, overwrites=overwrites, reason="Lantern set-up: staff area"
        )
        created.add(category)
        notes.append(f"category **{STAFF_CATEGORY}**")
        config = config.merged(staff_category_id=category.id)
    staff_channels = [
        (ESCALATION_CHANNEL, "escalation_channel_id", "Lantern crisis alerts. Staff only. "
         "Acknowledge every alert.", "escalation channel"),
        (LOG_CHANNEL, "log_channel_id", "Lantern moderation log. Staff only.", "moderation log"),
    ]  # fmt: skip
    for name, setting, topic, what in staff_channels:
        if channel(guild, getattr(config, setting)) is not None:
            continue
        made = await guild.create_text_channel(
            name,
            category=category,
            overwrites=overwrites,
            topic=topic,
            reason=f"Lantern set-up: {what}",
        )
        created.add(made)
        notes.append(f"channel {made.mention}")
        config = config.merged(**{setting: made.id})
    return config
