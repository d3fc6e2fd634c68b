"""The safety plan (Stanley-Brown structure): `/safetyplan edit|show|share`, and the
handlers of its buttons and modals.

Its parts and what a person types into them are in plan_parts.py, how it reads in
plan_embeds.py (including the embeds other features show, through `api`), its controls in
plan_views.py, its SQL in plan_store.py. Working on it together with a facilitator, from a
private conversation, is in plan_together.py.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import guild_of
from bot.errors import NotAuthorized, UserError
from bot.interactions import send_private
from bot.safety import resource_line
from cogs.cohorts.api import reach_of, require_person_in_reach
from cogs.crisis import api as crisis_api
from cogs.support.plan_embeds import (
    checklist_embed,
    full_embed,
    plan_embed,
    plan_is_shared,
    shared_plan_embed,
)
from cogs.support.plan_parts import BY_KEY, PART_LIMIT, Person, parse_person
from cogs.support.plan_store import PlanStore
from cogs.support.plan_together import DYNAMIC_ITEMS, PlanTogether
from cogs.support.plan_views import (
    PartModal,
    PlanPartButton,
    PlanViewButton,
    checklist_view,
    plan_view_button,
)

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)

# Defined with the code that uses them; still importable from here (other features reach
# them through `cogs.support.api`).
__all__ = [
    "PlanCog",
    "plan_embed",
    "plan_is_shared",
    "plan_view_button",
    "shared_plan_embed",
]


class PlanCog(commands.Cog, name="SafetyPlan"):
    plan_group = app_commands.Group(
        name="safetyplan", description="Your personal safety plan (private)", guild_only=True
    )

    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        self.store = PlanStore(bot.db, bot.cipher)
        self.together = PlanTogether(bot, self.store)  # co-editing from a conversation

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PlanPartButton, PlanViewButton, *DYNAMIC_ITEMS)
        await self.together.start_up()

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(PlanPartButton, PlanViewButton, *DYNAMIC_ITEMS)

    @plan_group.command(name="edit", description="Write or change your safety plan, part by part")
    async def edit(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        plan = await self.store.plan(guild.id, interaction.user.id)
        await send_private(interaction, embed=checklist_embed(plan), view=checklist_view(plan))

    @plan_group.command(name="show", description="See your safety plan (only you can see it)")
    async def show(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        plan = await self.store.plan(guild.id, interaction.user.id)
        if plan is None or plan.empty:
            await send_private(
                interaction,
                "You haven't written a safety plan yet. `/safetyplan edit` walks you through "
                "it, one short part at a time. Every part is optional.",
            )
            return
        sharing = "shared with your facilitators" if plan.shared else "private to you"
        await send_private(
            interaction,
            embed=full_embed(
                plan,
                title="My safety plan",
                footer=f"Only you can see this message. Your plan is {sharing}.",
            ),
        )

    @plan_group.command(name="share", description="Share your plan with your facilitators, or stop")
    @app_commands.describe(with_facilitators="True to share it, False to stop sharing")
    async def share(self, interaction: discord.Interaction, with_facilitators: bool) -> None:
        guild = guild_of(interaction)
        now = self.bot.clock.now()
        if not await self.store.set_shared(guild.id, interaction.user.id, with_facilitators, now):
            raise UserError(
                "You don't have a safety plan yet, so there's nothing to share. Start one with "
                "`/safetyplan edit`."
            )
        log.info(
            "safety plan sharing changed",
            extra={
                "guild_id": guild.id,
                "user_id": interaction.user.id,
                "shared": with_facilitators,
            },
        )
        if with_facilitators:
            reply = (
                "Your plan is now shared with your program's facilitators. They can see it if "
                "you're having a hard time (from an alert) and next to your check-ins, so they "
                "can help the way you'd want. Stop any time with "
                "`/safetyplan share with_facilitators: False`."
            )
        else:
            reply = "Your plan is private again: only you can see it."
        await send_private(interaction, reply)

    # --- editing one part --------------------------------------------------------------

    async def open_part(self, interaction: discord.Interaction, key: str) -> None:
        guild = guild_of(interaction)
        plan = await self.store.plan(guild.id, interaction.user.id)
        default = None
        if key == "professionals" and (plan is None or not plan.has(key)):
            default = await self.suggested_professionals(guild.id)
        await interaction.response.send_modal(PartModal(BY_KEY[key], plan, default))

    async def suggested_professionals(self, guild_id: int) -> str:
        """The server's crisis lines (region and local), as plain text to start from."""
        config = await self.bot.guild_configs.get(guild_id)
        region = self.bot.resources.region(config.region if config else None)
        lines = [resource_line(r).replace("**", "") for r in region.resources[:3]]
        for local in (await crisis_api.local_resources(self.bot, guild_id))[:2]:
            lines.append(f"• {local.name}: {local.contact}")
        lines.append(f"• Emergency: {region.emergency}")
        lines.append("• My counselor: ")
        return "\n".join(lines)[:PART_LIMIT]

    async def save_part(
        self, interaction: discord.Interaction, key: str, values: list[str]
    ) -> None:
        guild = guild_of(interaction)
        value: str | list[Person]
        if key == "people":
            value = [p for p in (parse_person(v) for v in values) if p is not None]
        else:
            value = values[0].strip()
        now = self.bot.clock.now()
        plan = await self.store.save_part(guild.id, interaction.user.id, key, value, now)
        log.info(
            "safety plan part saved",
            extra={"guild_id": guild.id, "user_id": interaction.user.id, "part": key},
        )
        embed = checklist_embed(plan, saved=BY_KEY[key].button)
        view = checklist_view(plan, after=key)
        if interaction.message is not None:
            await interaction.response.edit_message(embed=embed, view=view)
        else:
            await send_private(interaction, embed=embed, view=view)

    async def view_shared(
        self, interaction: discord.Interaction, guild_id: int, user_id: int
    ) -> None:
        guild = self.bot.get_guild(guild_id)
        config = await self.bot.guild_configs.get(guild_id)
        member = guild.get_member(interaction.user.id) if guild else None
        if member is None:
            raise NotAuthorized("Only facilitators can see a shared safety plan.")
        # Program staff, or the care team of a cohort the person is (or was) in.
        reach = await reach_of(self.bot.db, member, config)
        if not reach.any:
            raise NotAuthorized("Only facilitators can see a shared safety plan.")
        await require_person_in_reach(self.bot.db, reach, guild_id, user_id)
        embed = await shared_plan_embed(self.bot, guild_id, user_id)
        if embed is None:
            raise UserError(f"<@{user_id}> isn't sharing a safety plan right now.")
        log.info(
            "shared safety plan viewed",
            extra={"guild_id": guild_id, "user_id": user_id, "viewer_id": member.id},
        )
        await send_private(interaction, embed=embed)
