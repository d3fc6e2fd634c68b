"""Facilitators' crisis commands: `/resources` (the server's local crisis lines) and
`/crisis` (log, export, settings, ack). The alerts themselves are the `Crisis` cog's."""

from __future__ import annotations

import io
import json

import discord
from discord import app_commands
from discord.ext import commands

from bot import lists
from bot.checks import guild_of, require_facilitator
from bot.client import LanternBot
from bot.errors import NotAuthorized, UserError
from bot.inputs import snowflake
from bot.interactions import send_private
from bot.pages import send_pages, to_embed, to_embeds
from bot.safety import crisis_lines
from bot.storage import IntegrityError
from cogs.cohorts.api import (
    OUTSIDE_REACH,
    Membership,
    reach_of,
    reaches_person,
    require_person_in_reach,
    require_reach,
)
from cogs.crisis import messages
from cogs.crisis.cog import Crisis

LOG_LIMIT = 50  # newest alerts in /crisis log, across pages
MAX_LOCAL_RESOURCES = 15  # all of them always reach the crisis DM and /help-now


class CrisisAdmin(commands.Cog):
    crisis = app_commands.Group(
        name="crisis", description="Crisis alerts (facilitators)", guild_only=True
    )
    resources = app_commands.Group(
        name="resources", description="Local crisis resources (facilitators)", guild_only=True
    )

    def __init__(self, bot: LanternBot, crisis_cog: Crisis) -> None:
        self.bot = bot
        self.crisis_cog = crisis_cog

    # --- /resources ------------------------------------------------------------------

    @resources.command(name="add", description="Add a local crisis resource for this server")
    @app_commands.describe(
        name="e.g. County Mobile Crisis Team",
        contact="Phone number, text number or link",
        hours="e.g. 24/7, or Mon-Fri 9-17",
        note="Anything people should know",
    )
    async def resources_add(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 2, 80],
        contact: app_commands.Range[str, 3, 120],
        hours: app_commands.Range[str, 1, 60] | None = None,
        note: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        if len(await self.crisis_cog.store.resources(guild.id)) >= MAX_LOCAL_RESOURCES:
            raise UserError(
                f"A server can list at most {MAX_LOCAL_RESOURCES} local resources. "
                "Remove one first."
            )
        try:
            await self.crisis_cog.store.add_resource(
                guild.id,
                name.strip(),
                contact.strip(),
                hours,
                note,
                interaction.user.id,
                self.bot.clock.now(),
            )
        except IntegrityError:  # the unique name (any case)
            raise UserError(f"There's already a resource called **{name}**.") from None
        await send_private(
            interaction,
            f"Added **{discord.utils.escape_markdown(name)}**. It now appears in `/help-now` "
            "and crisis messages.",
        )

    @resources.command(name="remove", description="Remove a local crisis resource")
    @app_commands.describe(name="The resource's name")
    async def resources_remove(self, interaction: discord.Interaction, name: str) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        if not await self.crisis_cog.store.remove_resource(guild.id, name.strip()):
            raise UserError(
                f"There's no local resource called **{discord.utils.escape_markdown(name)}**."
            )
        await send_private(interaction, f"Removed **{discord.utils.escape_markdown(name)}**.")

    @resources.command(name="list", description="Crisis resources shown on this server")
    async def resources_list(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        config = await self.bot.guild_configs.get(guild.id)
        region = self.bot.resources.region(config.region if config else None)
        local = await self.crisis_cog.store.resources(guild.id)
        pages = lists.paginate(
            [
                lists.Group(
                    "Local to your program",
                    messages.local_lines(local) or ["None yet: facilitators can `/resources add`."],
                )
            ],
            lines=crisis_lines(region, limit=len(region.resources)).splitlines(),
            title=f"Crisis resources ({region.name})",
        )
        await send_pages(interaction, [to_embed(p, colour=discord.Colour.red()) for p in pages])

    @resources_remove.autocomplete("name")
    async def _resource_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        local = await self.crisis_cog.store.resources(interaction.guild_id or 0)
        return [
            app_commands.Choice(name=r.name, value=r.name)
            for r in local
            if current.lower() in r.name.lower()
        ][:25]

    # --- /crisis ---------------------------------------------------------------------

    @crisis.command(name="log", description="Recent alerts and what happened with each")
    @app_commands.describe(member="Only this person's alerts")
    async def crisis_log(
        self, interaction: discord.Interaction, member: discord.User | None = None
    ) -> None:
        _, reach = await require_reach(interaction)
        guild = guild_of(interaction)
        people: set[int] | None = None  # everyone's (program staff)
        if member is not None:
            await require_person_in_reach(self.bot.db, reach, guild.id, member.id)
            people = {member.id}
        elif not reach.staff:
            people = await Membership(self.bot.db).people_of(reach.cohort_ids)
        store = self.crisis_cog.store
        alerts = await store.log(guild.id, people, LOG_LIMIT)
        if not alerts:
            await send_private(interaction, "No alerts yet.")
            return
        groups = []
        for alert in alerts:
            events = await self.crisis_cog.store.events(alert.id)
            who = f"<@{alert.user_id}>" if alert.user_id else "(deleted)"
            groups.append(
                lists.Group(
                    f"#{alert.id} · {alert.level} · {messages.STATUS_TEXT[alert.status]}",
                    [who, *messages.history_lines(alert, events)],
                )
            )
        total = await store.count(guild.id, people)
        left_out = lists.omitted(len(alerts), total, "`member:` shows one person's")
        pages = lists.paginate(
            groups, title="Crisis alerts", footer=f"Newest first. {left_out}".strip()
        )
        await send_pages(interaction, to_embeds(pages, colour=discord.Colour.dark_red()))

    @crisis.command(name="export", description="Labelled examples (JSON lines) to tune the rules")
    async def crisis_export(self, interaction: discord.Interaction) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        rows = await self.crisis_cog.store.feedback(guild.id)
        if not rows:
            await send_private(
                interaction,
                "No labelled examples yet (false alarms and alerts "
                'marked "I\'ve reached out" become examples).',
            )
            return
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
        await interaction.response.send_message(
            f"{len(rows)} labelled example(s). They contain message excerpts: keep the file "
            "private.",
            file=discord.File(io.BytesIO(body), filename="crisis-feedback.jsonl"),
            ephemeral=True,
        )

    @crisis.command(name="settings", description="How often unacknowledged alerts repeat")
    @app_commands.describe(
        realert_minutes="Minutes between reminders (default 10)",
        escalate_after="Minutes before an alert no one on the care team took goes to program "
        "staff (default 10)",
    )
    async def crisis_settings(
        self,
        interaction: discord.Interaction,
        realert_minutes: app_commands.Range[int, 1, 1440] | None = None,
        escalate_after: app_commands.Range[int, 1, 1440] | None = None,
    ) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        realert, escalate = await self.crisis_cog.escalation.cadence.save(
            guild.id,
            self.bot.clock.now(),
            realert_minutes=realert_minutes,
            escalate_after_minutes=escalate_after,
        )
        changed = realert_minutes is not None or escalate_after is not None
        await send_private(
            interaction,
            ("Saved. " if changed else "")
            + f"Unacknowledged crisis alerts repeat every {realert} minute(s). An alert sent "
            f"to a cohort's care team that nobody has acknowledged after {escalate} minute(s) "
            "goes to program staff too.",
        )

    @crisis.command(name="ack", description="Acknowledge an alert (when its buttons are gone)")
    @app_commands.describe(alert="The alert's number (#17), from the list")
    async def crisis_ack(self, interaction: discord.Interaction, alert: str) -> None:
        _, reach = await require_reach(interaction)  # program staff, or a care team
        guild = guild_of(interaction)
        number = alert.strip().lstrip("#")
        found = await self.crisis_cog.store.get(snowflake(number, "alert", what="an alert"))
        if found is None or found.guild_id != guild.id:
            raise UserError(
                f"There's no alert **{discord.utils.escape_markdown(alert[:20])}** on this server."
            )
        if not await reaches_person(self.bot.db, reach, guild.id, found.user_id):
            raise NotAuthorized(OUTSIDE_REACH)
        if found.status != "open":
            raise UserError(
                f"Alert #{found.id} is already {messages.STATUS_TEXT[found.status].lower()}."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        updated, line = await self.crisis_cog.actions.move(found, "acknowledged", interaction.user)
        await self.crisis_cog.delivery.refresh(updated, status_line=line)
        await send_private(
            interaction, f"Alert #{found.id} acknowledged. Its reminders have stopped."
        )

    @crisis_ack.autocomplete("alert")
    async def _open_alerts(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        config = await self.bot.guild_configs.get(interaction.guild_id or 0)
        if not isinstance(interaction.user, discord.Member):
            return []
        reach = await reach_of(self.bot.db, interaction.user, config)
        if not reach.any:
            return []  # names of people in crisis are for facilitators only
        guild = interaction.guild
        choices = []
        for alert in await self.crisis_cog.store.open_alerts(interaction.guild_id or 0):
            if alert.status != "open" or not await reaches_person(
                self.bot.db, reach, interaction.guild_id or 0, alert.user_id
            ):
                continue  # a care team sees its own cohorts' people only
            member = guild.get_member(alert.user_id or 0) if guild else None
            who = member.display_name if member else f"user {alert.user_id}"
            label = f"#{alert.id} · {alert.level} · {who} · {alert.created_at:%b %d %H:%M} UTC"
            if current.strip().lstrip("#") in label:
                choices.append(app_commands.Choice(name=label[:100], value=str(alert.id)))
        return choices[:25]
