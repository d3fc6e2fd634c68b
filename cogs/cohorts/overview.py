"""Read-only views for facilitators: `/cohort list`, `/cohort info` and `/cohort report`."""

from __future__ import annotations

import io
import logging

import discord

from bot import lists
from bot.checks import guild_of
from bot.client import LanternBot
from bot.interactions import send_private
from bot.pages import send_pages, to_embeds
from cogs.checkins import api as checkins_api
from cogs.cohorts import logic, spaces
from cogs.cohorts.logic import CohortStatus, EnrollmentStatus
from cogs.cohorts.lookup import find_cohort
from cogs.cohorts.reach import require_reach
from cogs.cohorts.store import CohortStore, Enrollment

# Logged as the cog's (the log texts and logger name are what tests and docs know).
log = logging.getLogger("cogs.cohorts.cog")


async def list_cohorts(interaction: discord.Interaction, store: CohortStore) -> None:
    _, reach = await require_reach(interaction)
    guild = guild_of(interaction)
    cohorts = [c for c in await store.list(guild.id) if reach.covers(c.id)]
    if not cohorts:
        await send_private(interaction, "No cohorts yet. Create one with `/cohort create`.")
        return
    groups = []
    for cohort in cohorts:
        people = await store.members(cohort.id)
        active = sum(e.status == EnrollmentStatus.ACTIVE for e in people)
        pending = len(people) - active
        groups.append(
            lists.Group(
                f"{cohort.name}{' (archived)' if cohort.status != 'active' else ''}",
                [
                    f"{cohort.starts_on:%b %d} to {cohort.ends_on:%b %d, %Y}",
                    f"{active} in · {pending} awaiting consent · capacity {cohort.capacity}",
                ],
            )
        )
    pages = lists.paginate(groups, title="Cohorts", footer=f"{len(cohorts)} cohort(s)")
    await send_pages(interaction, to_embeds(pages, colour=discord.Colour.blurple()))


def consent_state(enrollment: Enrollment) -> str:
    """One person's line in `/cohort info`."""
    if enrollment.status == EnrollmentStatus.ACTIVE and enrollment.consented_at:
        return f"agreed (v{enrollment.agreement_version}) {enrollment.consented_at:%b %d}"
    if enrollment.status == EnrollmentStatus.PENDING_CONSENT:
        return "awaiting consent" + (" (private thread)" if enrollment.consent_thread_id else "")
    return str(enrollment.status).replace("_", " ")


async def cohort_info(interaction: discord.Interaction, store: CohortStore, cohort: str) -> None:
    _, reach = await require_reach(interaction)
    guild = guild_of(interaction)
    found = await find_cohort(store, guild, cohort)
    reach.require(found.id)
    people = await store.history(found.id)
    lines = [f"<@{e.user_id}>: {consent_state(e)}" for e in people]
    space = spaces.locate(guild, found)
    open_count = sum(e.status in logic.OPEN_STATUSES for e in people)
    facts = [
        lists.Group("Status", [str(found.status)], inline=True),
        lists.Group(
            "Dates", [f"{found.starts_on:%b %d, %Y} to {found.ends_on:%b %d, %Y}"], inline=True
        ),
        lists.Group("Enrolled", [f"{open_count} of {found.capacity}"], inline=True),
    ]
    missing = space.missing() if found.status == CohortStatus.ACTIVE else []
    if missing:
        facts.append(
            lists.Group("Needs repair", [f"Missing: {', '.join(missing)}. Run `/cohort repair`."])
        )
    pages = lists.paginate(facts, lines=lines or ["Nobody enrolled yet."], title=found.name)
    await send_pages(interaction, to_embeds(pages, colour=discord.Colour.blurple()))


async def send_report(
    interaction: discord.Interaction, bot: LanternBot, store: CohortStore, cohort: str
) -> None:
    """`/cohort report`: the cohort's check-ins and assessments, written by check-ins."""
    _, reach = await require_reach(interaction)
    guild = guild_of(interaction)
    found = await find_cohort(store, guild, cohort)
    reach.require(found.id)
    await interaction.response.defer(ephemeral=True, thinking=True)
    body = await checkins_api.cohort_report_csv(bot, guild.id, found.id)
    log.info("cohort report exported", extra={"guild_id": guild.id, "cohort_id": found.id})
    await interaction.followup.send(
        f"**{found.name}**: check-ins and assessments. The file holds health data: keep "
        "it private and delete it when you're done.",
        file=discord.File(io.BytesIO(body), filename=f"{logic.slug(found.name)}-report.csv"),
        ephemeral=True,
    )
