"""`/setup server|show|check`: configure Lantern for a server and verify it can work.

The commands are thin: the refusals live in validation.py, creating what's missing in
provision.py, and what people are shown (configuration, problems) in review.py."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import guild_of, require_facilitator_any, require_manage_server
from bot.client import LanternBot
from bot.interactions import send_private
from bot.pages import send_pages
from bot.storage.guilds import GuildConfig
from cogs.privacy import api as privacy_api
from cogs.setup import logic, provision, review, validation

log = logging.getLogger(__name__)


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
        zone = validation.timezone(timezone)
        region_code = validation.region(region, self.bot.resources)
        validation.roles(guild, facilitator_role, alumni_role)
        validation.staff_channels(guild, escalation_channel, log_channel)

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
            config, created = await provision.create_missing(guild, config)
        await self.bot.guild_configs.save(config, self.bot.clock.now())
        log.info(
            "server configured", extra={"guild_id": guild.id, "channels_created": len(created)}
        )
        await send_private(
            interaction, embed=review.saved_summary(guild, config, created, self.bot)
        )

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
        await send_private(interaction, embed=review.configuration(guild, config, self.bot))

    @setup_group.command(
        name="check", description="Check that Lantern has every permission it needs"
    )
    async def check(self, interaction: discord.Interaction) -> None:
        await require_facilitator_any(interaction)
        guild = guild_of(interaction)
        config = await self.bot.guild_configs.get(guild.id) or GuildConfig(guild_id=guild.id)
        problems = review.find_problems(guild, config)
        health = await self.bot.outbox.health(guild.id)
        problems += review.delivery_problems(health)
        await send_pages(interaction, review.check_pages(problems, health))
