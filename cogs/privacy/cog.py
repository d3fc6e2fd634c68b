"""The person's data rights and the server's retention rules.

`/mydata export` sends everything Lantern stores about the caller as JSON; `/mydata delete`
deletes it (after a confirmation) in one transaction. Members who leave are deleted the same
way after a grace period; free text (notes, excerpts) is purged after the retention period.
Facilitators are told that a deletion happened, never what.
"""

from __future__ import annotations

import io
import json
import logging
from datetime import datetime, timedelta
from typing import Any

import discord
from apscheduler.triggers.interval import IntervalTrigger
from discord import app_commands
from discord.ext import commands

from bot.checks import guild_of
from bot.client import LanternBot
from bot.confirm import Confirm, ask
from bot.interactions import send_private
from bot.personal_data import CATALOGUE, delete_person, export_person, purge_expired
from bot.staff import post_log
from cogs.cohorts import api as cohorts_api
from cogs.privacy import redact
from cogs.privacy.store import PrivacySettings, PrivacyStore

log = logging.getLogger(__name__)

JOB_ID = "privacy:sweep"


def summary_lines(data: dict[str, list[dict[str, Any]]]) -> list[str]:
    what = {f"{e.table}.{e.column}": e.what for e in CATALOGUE.rows}
    return [f"• {what.get(key, key)}: {len(rows)}" for key, rows in data.items()]


class Privacy(commands.Cog):
    mydata = app_commands.Group(
        name="mydata", description="Your data: export or delete it", guild_only=True
    )

    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        self.store = PrivacyStore(bot.db)

    async def cog_load(self) -> None:
        redact.register(self.bot)
        # Hourly: cheap when nothing is due, and a restart never skips a day.
        self.bot.scheduler.add(JOB_ID, IntervalTrigger(hours=1), self.sweep, grace_seconds=3600)

    async def cog_unload(self) -> None:
        self.bot.scheduler.remove(JOB_ID)
        self.bot.outbox.unregister(redact.REDACT)

    # --- /mydata ---------------------------------------------------------------------

    @mydata.command(name="export", description="Everything Lantern stores about you, as a file")
    async def export(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await export_person(self.bot.db, self.bot.cipher, guild.id, interaction.user.id)
        document = {
            "about": "Everything Lantern stores about you on this server.",
            "server": guild.name,
            "user_id": interaction.user.id,
            "generated_at": self.bot.clock.now().isoformat(),
            "data": data,
        }
        body = json.dumps(document, indent=2, ensure_ascii=False, default=str).encode()
        lines = summary_lines(data) or ["• nothing at all"]
        text = "Here is everything Lantern stores about you on **{}**:\n{}".format(
            guild.name, "\n".join(lines)
        )
        name = f"lantern-data-{guild.id}-{interaction.user.id}.json"
        try:
            await interaction.user.send(text, file=discord.File(io.BytesIO(body), filename=name))
            await send_private(interaction, "I've sent you your data by DM.")
        except discord.Forbidden:
            await interaction.followup.send(
                text + "\n(Your DMs are closed, so here it is privately instead.)",
                file=discord.File(io.BytesIO(body), filename=name),
                ephemeral=True,
            )
        log.info("personal data exported", extra={"guild_id": guild.id})

    @mydata.command(name="delete", description="Delete everything Lantern stores about you")
    async def delete(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        data = await export_person(self.bot.db, self.bot.cipher, guild.id, interaction.user.id)
        if not data:
            await send_private(interaction, "Lantern stores nothing about you on this server.")
            return
        text = (
            "This deletes, for good:\n" + "\n".join(summary_lines(data)) + "\n\n"
            "You will leave your cohort's channels (a facilitator can enrol you again). "
            "Crisis alerts keep only their times and outcomes, without your name or words. "
            "Facilitators are told that a deletion happened, not what. This can't be undone."
        )
        view = Confirm(
            interaction.user.id,
            self.delete_confirmed,
            confirm="Delete my data",
            cancel="Keep it",
            working="Deleting your data…",
            cancelled="Nothing was deleted.",
            timeout=300,
        )
        await ask(interaction, text[:2000], view)

    async def delete_confirmed(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        member = guild.get_member(interaction.user.id)
        if member is not None:
            await self._leave_cohorts(guild, member)
        counts = await self.forget(guild.id, interaction.user.id)
        config = await self.bot.guild_configs.get(guild.id)
        await post_log(
            self.bot.outbox,
            guild,
            config,
            "A member deleted their personal data with `/mydata delete`.",
        )
        await interaction.edit_original_response(
            content=f"Done. {sum(counts.values())} record(s) were deleted or anonymized."
        )

    async def _leave_cohorts(self, guild: discord.Guild, member: discord.Member) -> None:
        role_ids = await cohorts_api.Membership(self.bot.db).member_role_ids(guild.id, member.id)
        roles = [
            role
            for role_id in role_ids
            if (role := guild.get_role(role_id)) is not None and role in member.roles
        ]
        if roles:
            try:
                await member.remove_roles(*roles, reason="Lantern: the member deleted their data")
            except discord.HTTPException:
                log.warning("could not remove cohort roles", extra={"user_id": member.id})

    async def forget(self, guild_id: int, user_id: int) -> dict[str, int]:
        async with self.bot.db.transaction() as tx:
            # Before the rows go: they say where Lantern posted about the person.
            posted = await redact.person_messages(tx, guild_id, user_id)
            await redact.enqueue(self.bot.outbox, guild_id, posted, user_id, "deleted")
            await redact.withdraw_pending(self.bot.outbox, tx, guild_id, user_id)
            counts = await delete_person(tx, guild_id, user_id)
            await tx.execute(
                "DELETE FROM departures WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
        log.info(
            "personal data deleted",
            extra={"guild_id": guild_id, "records": sum(counts.values())},
        )
        self.bot.dispatch("personal_data_deleted", guild_id, user_id)
        return counts

    # --- leavers and retention ---------------------------------------------------------

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        await self.store.departed(payload.guild_id, payload.user.id, self.bot.clock.now())

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        await self.store.returned(member.guild.id, member.id)

    async def sweep(self, now: datetime | None = None) -> dict[str, int]:
        """Delete the data of people gone longer than the grace period, and purge old text."""
        now = now or self.bot.clock.now()
        totals = {"people": 0, "purged": 0}
        for guild_id, user_id, left_at in await self.store.departures():
            settings = await self.store.settings(guild_id)
            if left_at <= now - timedelta(days=settings.grace_days):
                await self.forget(guild_id, user_id)
                totals["people"] += 1
        for guild_id in await self.bot.guild_configs.guild_ids():
            settings = await self.store.settings(guild_id)
            async with self.bot.db.transaction() as tx:
                cutoff = (now - timedelta(days=settings.days()["excerpt_days"])).isoformat()
                expiring = await redact.expiring_messages(tx, guild_id, cutoff)
                await redact.enqueue(self.bot.outbox, guild_id, expiring, None, "expired")
                counts = await purge_expired(self.bot.db, guild_id, now, settings.days())
            if counts:
                log.info("retention purge", extra={"guild_id": guild_id, **counts})
                totals["purged"] += sum(counts.values())
        return totals

    async def save_settings(
        self, interaction: discord.Interaction, changes: dict[str, int | None]
    ) -> PrivacySettings:
        guild = guild_of(interaction)
        current = await self.store.settings(guild.id)
        updated = current.merged(**changes)
        await self.store.save(guild.id, updated, self.bot.clock.now())
        return updated
