"""`/setup server|show|check`: configure Lantern for a server and verify it can work."""

from __future__ import annotations

import logging
from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot import lists, permissions
from bot.checks import guild_of, require_facilitator_any, require_manage_server
from bot.client import LanternBot
from bot.errors import UserError
from bot.inputs import canonical_timezone, problem, quoted
from bot.interactions import send_private
from bot.pages import send_pages, to_embeds
from bot.rollback import Created
from bot.storage.guilds import GuildConfig
from cogs.privacy import api as privacy_api
from cogs.setup import logic

log = logging.getLogger(__name__)

STAFF_CATEGORY = "Lantern staff"
ESCALATION_CHANNEL = "escalations"
LOG_CHANNEL = "mod-log"


class SetupCog(commands.Cog):
    setup_group = app_commands.Group(
        name="setup",
        description="Configure Lantern for this server",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot

    # --- /setup server ---------------------------------------------------------------

    @setup_group.command(
        name="server", description="Choose roles, staff channels, timezone and region"
    )
    @app_commands.describe(
        facilitator_role="Role of clinicians and peer-support staff",
        alumni_role="Role given to people who graduate",
        escalation_channel="Private channel where crisis alerts go (staff only)",
        log_channel="Channel where moderation actions are recorded (staff only)",
        timezone="The program's timezone, e.g. America/Chicago",
        region="Which crisis lines to show people",
        create_missing="Create the roles and a private staff category for anything not chosen",
    )
    async def server(
        self,
        interaction: discord.Interaction,
        facilitator_role: discord.Role | None = None,
        alumni_role: discord.Role | None = None,
        escalation_channel: discord.TextChannel | None = None,
        log_channel: discord.TextChannel | None = None,
        timezone: str | None = None,
        region: str | None = None,
        create_missing: bool = False,
    ) -> None:
        await require_manage_server(interaction)
        guild = guild_of(interaction)
        zone = self._validate_timezone(timezone)
        region_code = self._validate_region(region)
        for role in (facilitator_role, alumni_role):
            if role is not None:
                _validate_role(guild, role)
        if facilitator_role and alumni_role and facilitator_role == alumni_role:
            raise UserError("The facilitator role and the alumni role must be different roles.")
        for channel, needs in ((escalation_channel, "escalation"), (log_channel, "log")):
            if channel is not None:
                _validate_staff_channel(guild, channel, needs)

        current = await self.bot.guild_configs.get(guild.id) or GuildConfig(guild_id=guild.id)
        config = current.merged(
            facilitator_role_id=facilitator_role.id if facilitator_role else None,
            alumni_role_id=alumni_role.id if alumni_role else None,
            escalation_channel_id=escalation_channel.id if escalation_channel else None,
            log_channel_id=log_channel.id if log_channel else None,
            timezone=zone,
            region=region_code,
        )
        created: list[str] = []
        if create_missing:
            await interaction.response.defer(ephemeral=True, thinking=True)
            config, created = await self._create_missing(guild, config)
        await self.bot.guild_configs.save(config, self.bot.clock.now())
        log.info(
            "server configured", extra={"guild_id": guild.id, "channels_created": len(created)}
        )
        await send_private(interaction, embed=self._summary(guild, config, created))

    @server.autocomplete("timezone")
    async def _timezone_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in logic.suggest_timezones(current)]

    @server.autocomplete("region")
    async def _region_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = {code: region.name for code, region in self.bot.resources.regions.items()}
        return [
            app_commands.Choice(name=f"{name} ({code})", value=code)
            for code, name in logic.suggest_regions(current, names)
        ]

    def _validate_timezone(self, typed: str | None) -> str | None:
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

    def _validate_region(self, typed: str | None) -> str | None:
        if typed is None:
            return None
        code = typed.strip().upper()
        if code not in self.bot.resources.regions:
            known = ", ".join(self.bot.resources.codes())
            raise UserError(f"Unknown crisis-resource region. Choose one of: {known}.")
        return code

    async def _create_missing(
        self, guild: discord.Guild, config: GuildConfig
    ) -> tuple[GuildConfig, list[str]]:
        me = guild.me
        need = []
        if (
            _role(guild, config.facilitator_role_id) is None
            or _role(guild, config.alumni_role_id) is None
        ):
            need.append("manage_roles")
        if (
            _channel(guild, config.escalation_channel_id) is None
            or _channel(guild, config.log_channel_id) is None
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
            facilitator = _role(guild, config.facilitator_role_id)
            if facilitator is None:
                facilitator = await guild.create_role(
                    name="Facilitator", reason="Lantern set-up: facilitator role"
                )
                created.add(facilitator)
                notes.append(f"role {facilitator.mention}")
                config = config.merged(facilitator_role_id=facilitator.id)
            if _role(guild, config.alumni_role_id) is None:
                alumni = await guild.create_role(
                    name="Alumni", reason="Lantern set-up: alumni role"
                )
                created.add(alumni)
                notes.append(f"role {alumni.mention}")
                config = config.merged(alumni_role_id=alumni.id)
            config = await self._create_staff_channels(guild, config, facilitator, created, notes)
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
        self,
        guild: discord.Guild,
        config: GuildConfig,
        facilitator: discord.Role,
        created: Created,
        notes: list[str],
    ) -> GuildConfig:
        escalation = _channel(guild, config.escalation_channel_id)
        mod_log = _channel(guild, config.log_channel_id)
        if escalation is not None and mod_log is not None:
            return config
        overwrites = staff_overwrites(guild, facilitator)
        category = _channel(guild, config.staff_category_id)
        if not isinstance(category, discord.CategoryChannel):
            category = await guild.create_category(
                STAFF_CATEGORY, overwrites=overwrites, reason="Lantern set-up: staff area"
            )
            created.add(category)
            notes.append(f"category **{STAFF_CATEGORY}**")
            config = config.merged(staff_category_id=category.id)
        if escalation is None:
            escalation = await guild.create_text_channel(
                ESCALATION_CHANNEL,
                category=category,
                overwrites=overwrites,
                topic="Lantern crisis alerts. Staff only. Acknowledge every alert.",
                reason="Lantern set-up: escalation channel",
            )
            created.add(escalation)
            notes.append(f"channel {escalation.mention}")
            config = config.merged(escalation_channel_id=escalation.id)
        if mod_log is None:
            mod_log = await guild.create_text_channel(
                LOG_CHANNEL,
                category=category,
                overwrites=overwrites,
                topic="Lantern moderation log. Staff only.",
                reason="Lantern set-up: moderation log",
            )
            created.add(mod_log)
            notes.append(f"channel {mod_log.mention}")
            config = config.merged(log_channel_id=mod_log.id)
        return config

    def _summary(
        self, guild: discord.Guild, config: GuildConfig, created: list[str]
    ) -> discord.Embed:
        missing = config.missing()
        embed = describe_config(guild, config, self.bot)
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

    # --- /setup privacy ----------------------------------------------------------------

    @setup_group.command(name="privacy", description="How long Lantern keeps personal data")
    @app_commands.describe(
        grace_days="Days to keep the data of someone who left, in case they return (default 30)",
        notes_days="Days to keep check-in notes and other personal free text (default 365)",
        excerpt_days="Days to keep excerpts in crisis alerts and reports (default 90)",
    )
    async def privacy(
        self,
        interaction: discord.Interaction,
        grace_days: app_commands.Range[int, 0, 3650] | None = None,
        notes_days: app_commands.Range[int, 1, 3650] | None = None,
        excerpt_days: app_commands.Range[int, 1, 3650] | None = None,
    ) -> None:
        await require_manage_server(interaction)
        saved = await privacy_api.save_settings(
            self.bot,
            interaction,
            {"grace_days": grace_days, "notes_days": notes_days, "excerpt_days": excerpt_days},
        )
        await send_private(
            interaction,
            "Privacy settings:\n"
            f"• data of people who left is deleted after **{saved.grace_days}** day(s)\n"
            f"• check-in notes and other free text are deleted after **{saved.notes_days}** "
            "day(s) (numbers are kept)\n"
            f"• excerpts in crisis alerts and reports are deleted after **{saved.excerpt_days}** "
            "day(s) (times and outcomes are kept)",
        )

    # --- /setup hours (support: handled in cogs/support/hours_settings.py) --------------

    @setup_group.command(
        name="hours", description="Staffed hours for /talk, and when unanswered ones repeat"
    )
    @app_commands.describe(
        schedule="e.g. Mon-Fri 09:00-17:00; Sat 10:00-14:00 (the server's timezone)",
        reannounce_minutes="Minutes a conversation may wait for a reply before a reminder (15)",
        clear="Remove the staffed hours",
    )
    async def hours(
        self,
        interaction: discord.Interaction,
        schedule: app_commands.Range[str, 3, 300] | None = None,
        reannounce_minutes: app_commands.Range[int, 1, 1440] | None = None,
        clear: bool = False,
    ) -> None:
        from cogs.support.api import setup_hours

        await setup_hours(self.bot, interaction, schedule, reannounce_minutes, clear)

    # --- /setup show and /setup check ------------------------------------------------

    @setup_group.command(name="show", description="Show Lantern's configuration for this server")
    async def show(self, interaction: discord.Interaction) -> None:
        await require_facilitator_any(interaction)
        guild = guild_of(interaction)
        config = await self.bot.guild_configs.get(guild.id) or GuildConfig(guild_id=guild.id)
        embed = describe_config(guild, config, self.bot)
        embed.title = "Lantern configuration"
        if config.missing():
            embed.add_field(
                name="Not set yet",
                value=f"{logic.describe_missing(config.missing())}. Run `/setup server`.",
                inline=False,
            )
        await send_private(interaction, embed=embed)

    @setup_group.command(
        name="check", description="Check that Lantern has every permission it needs"
    )
    async def check(self, interaction: discord.Interaction) -> None:
        await require_facilitator_any(interaction)
        guild = guild_of(interaction)
        config = await self.bot.guild_configs.get(guild.id) or GuildConfig(guild_id=guild.id)
        problems = find_problems(guild, config)
        health = await self.bot.outbox.health(guild.id)
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
        await send_pages(interaction, to_embeds(pages, colour=colour))


STUCK = timedelta(minutes=5)
"""A message still undelivered after this long is worth a look."""


# --- helpers (Discord objects in, plain facts out) -------------------------------------


def _role(guild: discord.Guild, role_id: int | None) -> discord.Role | None:
    return guild.get_role(role_id) if role_id else None


def _channel(guild: discord.Guild, channel_id: int | None) -> discord.abc.GuildChannel | None:
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


def _validate_role(guild: discord.Guild, role: discord.Role) -> None:
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


def _validate_staff_channel(guild: discord.Guild, channel: discord.TextChannel, kind: str) -> None:
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
