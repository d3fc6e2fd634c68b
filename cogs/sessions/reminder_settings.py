"""The body of `/session reminders`: when reminders are posted, for the server or one
cohort (turning them off server-wide asks first: it cancels other people's reminders)."""

from __future__ import annotations

import discord

from bot.checks import guild_of, require_facilitator
from bot.confirm import Confirm
from bot.errors import UserError
from bot.inputs import OFF_WORDS, about, problem
from bot.interactions import send_private
from bot.staff import post_log
from bot.storage.guilds import GuildConfig
from cogs.cohorts.api import Cohort, require_reach
from cogs.sessions.context import SessionsContext
from cogs.sessions.recurrence import format_lead, parse_leads


async def set_reminders(
    ctx: SessionsContext, interaction: discord.Interaction, lead_times: str, cohort: str | None
) -> None:
    guild = guild_of(interaction)
    found = await _where(ctx, interaction, cohort)
    leads: tuple[int, ...] | None
    if lead_times.strip().lower() == "default":
        if found is None:
            raise UserError("`default` is for a cohort: give the `cohort` option.")
        leads = None
    else:
        with about("lead_times"):
            leads = parse_leads(lead_times)
        # ",," has no lead time in it: a typo, not "off" (which says so explicitly).
        if not leads and lead_times.strip().lower() not in OFF_WORDS:
            raise problem("lead_times", "give times like `24h,1h`, or `off` for none.")
    if found is None and leads == ():
        # Server-wide "off" cancels other people's reminders: ask first.
        pending = await ctx.reminders.pending_on_server_default(guild.id)
        await send_private(
            interaction,
            f"Turn reminders off for the whole server? This cancels **{pending}** pending "
            "reminder(s) for every cohort that uses the server's setting.",
            view=Confirm(
                interaction.user.id,
                lambda click: apply_leads(ctx, click, None, ()),
                cancelled="Nothing changed: reminders stay as they were.",
            ),
        )
        return
    await apply_leads(ctx, interaction, found, leads)


async def apply_leads(
    ctx: SessionsContext,
    interaction: discord.Interaction,
    found: Cohort | None,
    leads: tuple[int, ...] | None,
) -> None:
    config = await _allowed(interaction, found)
    guild = guild_of(interaction)
    now = ctx.now()
    await ctx.reminders.set_leads(
        guild.id, found.id if found else 0, leads, interaction.user.id, now
    )
    targets = [found.id] if found else [c.id for c in await ctx.cohorts.list(guild.id)]
    await ctx.planner.replan_cohorts(targets, now)
    await ctx.sender.rearm()
    effective = await ctx.reminders.leads(guild.id, found.id if found else 0)
    where = f"**{found.name}**" if found else "this server"
    said = ", ".join(format_lead(m) for m in effective) + " before" if effective else "off"
    await post_log(
        ctx.bot.outbox,
        guild,
        config,
        f"{interaction.user.mention} set reminders for {where}: {said}.",
    )
    if interaction.response.is_done():
        await interaction.edit_original_response(
            content=f"Reminders for {where}: {said}.", view=None
        )
    else:
        await send_private(interaction, f"Reminders for {where}: {said}.")


async def _where(
    ctx: SessionsContext, interaction: discord.Interaction, cohort: str | None
) -> Cohort | None:
    """The cohort the reminder times are for (None: the server's default), if the caller may
    change them."""
    if cohort is None:
        await _allowed(interaction, None)
        return None
    await require_reach(interaction)  # before saying whether such a cohort exists
    found = await ctx.cohort(guild_of(interaction), cohort)
    await _allowed(interaction, found)
    return found


async def _allowed(interaction: discord.Interaction, found: Cohort | None) -> GuildConfig:
    """A care team may set its own cohort's reminders; the server's default is program
    staff's, since it changes every cohort's."""
    if found is None:
        return await require_facilitator(interaction)
    config, reach = await require_reach(interaction)
    reach.require(found.id)
    return config
