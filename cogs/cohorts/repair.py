"""Keeping a live cohort's space whole: `/cohort repair` recreates what is missing and
re-applies permissions; a channel or role deleted by hand is reported to the staff log."""

from __future__ import annotations

import logging

import discord

from bot.checks import guild_of, require_facilitator
from bot.client import LanternBot
from bot.errors import UserError
from bot.interactions import send_private
from bot.rollback import Created
from bot.staff import post_log
from cogs.cohorts import spaces
from cogs.cohorts.lifecycle import need
from cogs.cohorts.logic import CohortStatus, EnrollmentStatus
from cogs.cohorts.lookup import find_cohort
from cogs.cohorts.store import CohortStore

# Logged as the cog's (the log texts and logger name are what tests and docs know).
log = logging.getLogger("cogs.cohorts.cog")


class Repair:
    def __init__(self, bot: LanternBot, store: CohortStore) -> None:
        self.bot = bot
        self.store = store

    async def repair(self, interaction: discord.Interaction, cohort: str) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await find_cohort(self.store, guild, cohort, live=True)
        need(guild, "manage_roles", "manage_channels")
        await interaction.response.defer(ephemeral=True, thinking=True)
        space = spaces.locate(guild, found)
        made: list[str] = []
        created = Created()
        try:
            if space.role is None:
                space.role = await guild.create_role(
                    name=spaces.role_name(found.name), reason="Lantern: cohort repair"
                )
                made.append("role")
            roles = spaces.roles_for(guild, config, found)
            roles.cohort = space.role
            made += await spaces.build_missing(guild, found.name, space, roles, created)
        except discord.HTTPException as exc:
            raise UserError(f"Part of the repair failed. {spaces.refusal_text(exc)}") from exc
        await self.store.update_ids(found.id, space.ids())
        # Channels may have new ids now: features watching the live channels reload them.
        self.bot.dispatch("cohort_spaces_changed", guild.id)
        failed = await spaces.apply_permissions(guild, space, roles, reason="Lantern: repair")
        regranted = 0
        if "role" in made and space.role is not None:
            for enrollment in await self.store.members(found.id):
                member = guild.get_member(enrollment.user_id)
                if member and enrollment.status == EnrollmentStatus.ACTIVE:
                    await member.add_roles(space.role, reason="Lantern: cohort repair")
                    regranted += 1
        problems = spaces.verify(guild, space, roles)
        text = f"Repaired **{found.name}**. "
        text += f"Recreated: {', '.join(made)}. " if made else "Nothing was missing. "
        if regranted:
            text += f"Gave the new role back to {regranted} member(s). "
        if failed or problems:
            text += "\nStill wrong: " + "; ".join(failed + problems)
        else:
            text += "Permissions verified."
        await post_log(
            self.bot.outbox, guild, config, f"{interaction.user.mention} repaired **{found.name}**."
        )
        await send_private(interaction, text)

    async def piece_gone(self, guild: discord.Guild, object_id: int, label: str) -> None:
        """A channel or role was deleted outside Lantern: tell the staff if it was part of a
        live cohort, so they can repair it."""
        owner = await self.store.owning(guild.id, object_id)
        if owner is None:
            return
        cohort, piece = owner
        if cohort.status != CohortStatus.ACTIVE:
            return
        log.warning("cohort piece deleted by hand", extra={"cohort_id": cohort.id, "piece": piece})
        config = await self.bot.guild_configs.get(guild.id)
        await post_log(
            self.bot.outbox,
            guild,
            config,
            f"⚠️ The {piece} **{label}** of cohort **{cohort.name}** was deleted outside "
            f"Lantern. Run `/cohort repair cohort:{cohort.name}` to recreate it.",
        )
