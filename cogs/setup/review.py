"""What `/setup server`, `/setup show` and `/setup check` tell people: the configuration as
an embed, and everything that would stop Lantern working here, each as an instruction."""

from __future__ import annotations

from datetime import timedelta

import discord

from bot import lists, permissions
from bot.client import LanternBot
from bot.outbox import Health
from bot.pages import to_embeds
from bot.storage.guilds import GuildConfig
from cogs.setup import logic

STUCK = timedelta(minutes=5)
"""A message still undelivered after this long is worth a look."""


def describe_config(guild: discord.Guild, config: GuildConfig, bot: LanternBot) -> discord.Embed:
    def role_text(role_id: int | None) -> str:
        if role_id is None:
            return "not set"
        role = guild.get_role(role_id)
        return role.mention if role else f"deleted role ({role_id})"

    def channel_text(channel_id: int | None) -> str:
        if channel_id is None:
            return "not set"
        channel = guild.get_channel(channel_id)
        return channel.mention if channel else f"deleted channel ({channel_id})"

    region = (
        f"{bot.resources.region(config.region).name} ({config.region})"
        if config.region
        else "not set"
    )
    embed = discord.Embed(colour=discord.Colour.blurple())
    embed.add_field(name="Facilitator role", value=role_text(config.facilitator_role_id))
    embed.add_field(name="Alumni role", value=role_text(config.alumni_role_id))
    embed.add_field(name="Escalation channel", value=channel_text(config.escalation_channel_id))
    embed.add_field(name="Moderation log", value=channel_text(config.log_channel_id))
    embed.add_field(name="Timezone", value=config.timezone or "not set")
    embed.add_field(name="Crisis resources", value=region)
    return embed


def saved_summary(
    guild: discord.Guild, config: GuildConfig, created: list[str], bot: LanternBot
) -> discord.Embed:
    """`/setup server`'s answer: what is configured now, what was created, what is left."""
    missing = config.missing()
    embed = describe_config(guild, config, bot)
    if created:
        embed.add_field(name="Created", value="\n".join(created), inline=False)
    if missing:
        embed.title = "Lantern set-up saved (not finished)"
        embed.colour = discord.Colour.orange()
        embed.add_field(
            name="Still needed",
            value=f"{logic.describe_missing(missing)}. Run `/setup server` again with "
            "those options, or with `create_missing: True`.",
            inline=False,
        )
    else:
        embed.title = "Lantern is set up"
        embed.colour = discord.Colour.green()
        embed.set_footer(text="Run /setup check to verify my permissions.")
    return embed


def configuration(guild: discord.Guild, config: GuildConfig, bot: LanternBot) -> discord.Embed:
    """`/setup show`'s answer."""
    embed = describe_config(guild, config, bot)
    embed.title = "Lantern configuration"
    if config.missing():
        embed.add_field(
            name="Not set yet",
            value=f"{logic.describe_missing(config.missing())}. Run `/setup server`.",
            inline=False,
        )
    return embed


def find_problems(guild: discord.Guild, config: GuildConfig) -> list[str]:
    """Everything that would stop Lantern working here, each as an instruction."""
    me = guild.me
    problems = [
        f"Give my role **{permissions.label(name)}** (server-wide), so I can {reason}."
        for name, reason in permissions.missing(
            me.guild_permissions, permissions.SERVER_PERMISSIONS
        )
    ]
    if config.missing():
        problems.append(
            f"Not configured yet: {logic.describe_missing(config.missing())}. Run `/setup server`."
        )
    for label, role_id in (
        ("facilitator role", config.facilitator_role_id),
        ("alumni role", config.alumni_role_id),
    ):
        if role_id is None:
            continue
        role = guild.get_role(role_id)
        if role is None:
            problems.append(f"The {label} was deleted. Run `/setup server` to choose another.")
        elif role >= me.top_role:
            problems.append(
                f"Move my role above {role.mention} (Server Settings > Roles) so I can give it."
            )
    for kind, channel_id in (
        ("escalation", config.escalation_channel_id),
        ("log", config.log_channel_id),
    ):
        if channel_id is None:
            continue
        channel = guild.get_channel(channel_id)
        name = "escalation channel" if kind == "escalation" else "moderation-log channel"
        if channel is None:
            problems.append(f"The {name} was deleted. Run `/setup server` to choose another.")
            continue
        if channel.permissions_for(guild.default_role).view_channel:
            problems.append(
                f"{channel.mention} is visible to everyone; hide it from @everyone "
                "(it holds private health information)."
            )
        for perm, reason in permissions.missing(
            channel.permissions_for(me), permissions.CHANNEL_PERMISSIONS[kind]
        ):
            problems.append(
                f"Allow me **{permissions.label(perm)}** in {channel.mention}, so I can {reason}."
            )
    return problems


def delivery_problems(health: Health) -> list[str]:
    """What the outbox's last 7 days say is wrong with delivery here."""
    problems = []
    if health.failed:
        problems.append(
            f"{health.failed} message(s) could not be delivered in the last 7 days "
            "(crisis alerts are never given up; the bot's log has an incident id for each)."
        )
    if health.oldest_pending is not None and health.oldest_pending > STUCK:
        problems.append(
            f"{health.pending} message(s) are waiting to be delivered, the oldest for "
            f"{int(health.oldest_pending.total_seconds() // 60)} minute(s): Discord may be "
            "refusing them (see the bot's log)."
        )
    return problems


def check_pages(problems: list[str], health: Health) -> list[discord.Embed]:
    """`/setup check`'s answer: the delivery figures, then each problem (or "All good")."""
    delivery = lists.Group(
        "Delivery",
        [
            f"{health.sent} delivered, {health.pending} waiting, {health.failed} failed "
            "(last 7 days)"
        ],
    )
    if problems:
        title, colour = f"{len(problems)} thing(s) to fix", discord.Colour.orange()
        lines = [f"• {p}" for p in problems]
    else:
        title, colour = "All good", discord.Colour.green()
        lines = ["I have every permission I need in every configured place."]
    pages = lists.paginate([delivery], lines=lines, title=title)
    return to_embeds(pages, colour=colour)
