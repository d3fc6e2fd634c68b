"""The bodies of `/session add`, `/session list` and `/session delete`: adding a series,
showing a cohort's schedule, and removing a series (telling the cohort). Moving and
cancelling sessions are in changes.py; the commands themselves in session_commands.py."""

from __future__ import annotations

import logging
from datetime import timedelta

import discord

from bot import inputs, lists
from bot.checks import guild_of
from bot.errors import UserError
from bot.interactions import send_private
from bot.pages import send_pages, to_embeds
from bot.staff import post_log
from cogs.cohorts.api import CohortStatus, require_reach
from cogs.sessions import logic, texts
from cogs.sessions.changes import told
from cogs.sessions.context import SessionsContext
from cogs.sessions.records import session_name
from cogs.sessions.recurrence import (
    KINDS,
    RecurrenceError,
    describe_weekdays,
    format_clock,
    format_duration,
    format_lead,
    format_when,
    occurrences,
    to_local,
)

# The logger keeps the name it had before cog.py was split.
log = logging.getLogger("cogs.sessions.cog")


async def add(
    ctx: SessionsContext, interaction: discord.Interaction, *, cohort: str, title: str,
    weekdays: str, at: str, duration: str, kind: str, location: str | None, link: str | None,
    starts: str | None, ends: str | None,
) -> None:  # fmt: skip
    config, reach = await require_reach(interaction)
    guild = guild_of(interaction)
    found = await ctx.cohort(guild, cohort)
    reach.require(found.id)
    if found.status != CohortStatus.ACTIVE:
        raise UserError(f"**{found.name}** is archived; it can't get new sessions.")
    zone = config.timezone or "UTC"
    now = ctx.now()
    try:
        clean_title = logic.clean_title(title)
        place, url = logic.clean_location(location), logic.clean_link(link)
        rule = logic.build_rule(
            weekdays=weekdays,
            at=at,
            duration=duration,
            zone=zone,
            today=to_local(now, zone).date(),
            cohort_start=found.starts_on,
            cohort_end=found.ends_on,
            starts=starts,
            ends=ends,
        )
    except RecurrenceError as exc:
        raise UserError(str(exc)) from None
    if kind not in KINDS:
        raise UserError(f"Choose a kind from the list: {', '.join(KINDS)}.")
    upcoming = occurrences(rule, now, now + timedelta(days=400))
    if not upcoming:
        raise UserError(
            "That schedule has no session in the future: the time has already passed "
            "(or no chosen weekday falls between the start and end dates)."
        )
    await interaction.response.defer(ephemeral=True, thinking=True)
    async with ctx.bot.db.transaction() as tx:
        series_id = await ctx.store.add_series(
            tx, guild_id=guild.id, cohort_id=found.id, title=clean_title, kind=kind,
            rule=rule, location=place, link=url, by=interaction.user.id, now=now,
        )  # fmt: skip
    series = await ctx.store.series(series_id)
    assert series is not None  # noqa: S101 (just inserted)
    await ctx.planner.extend(now, [series])
    await ctx.after_change(guild.id)
    log.info("session series added", extra={"guild_id": guild.id, "series_id": series_id})
    leads = await ctx.reminders.leads(guild.id, found.id)
    when = (
        f"once on {rule.starts_on:%a %b} {rule.starts_on.day}"
        if rule.once
        else f"{describe_weekdays(rule.weekdays)} from {rule.starts_on} to {rule.ends_on}"
    )
    text = (
        f"Added **{clean_title}** ({texts.KIND_LABELS[kind].lower()}) for **{found.name}**: "
        f"{when}, {format_clock(rule.start_time)} for {format_duration(rule.duration_minutes)} "
        f"({zone}).\nNext: {format_when(upcoming[0].starts_at, zone)}. Reminders: "
        + (", ".join(format_lead(m) for m in leads) + " before" if leads else "none")
        + " in the cohort's announcements."
    )
    notes = logic.dst_notes(rule)
    if notes:
        text += "\n**Clock changes:** " + " ".join(notes)
    await post_log(
        ctx.bot.outbox,
        guild,
        config,
        f"{interaction.user.mention} added sessions **{clean_title}** for **{found.name}**.",
    )
    await send_private(interaction, text)


async def show(
    ctx: SessionsContext, interaction: discord.Interaction, cohort: str, weeks: int
) -> None:
    """`/session list`: the cohort's series and its next `weeks` weeks of sessions."""
    _, reach = await require_reach(interaction)
    guild = guild_of(interaction)
    found = await ctx.cohort(guild, cohort)
    reach.require(found.id)
    now = ctx.now()
    series = await ctx.store.series_of_cohort(found.id)
    sessions = await ctx.store.sessions_of_cohort(found.id, now, now + timedelta(weeks=weeks))
    counts = await ctx.attendance.rsvp_counts([s.id for s in sessions])
    series_lines = [
        f"#{s.id} **{s.title}** · {describe_weekdays(s.weekdays)} "
        f"{format_clock(s.start_time)} ({format_duration(s.duration_minutes)}) "
        f"until {s.ends_on:%b} {s.ends_on.day}"
        for s in series
    ]
    lines = []
    for s in sessions:
        line = f"{format_when(s.starts_at, s.timezone)} · {session_name(s)}"
        if s.cancelled:
            line = f"~~{line}~~ cancelled"
        else:
            yes, no = counts.get(s.id, (0, 0))
            line += f" · ✅ {yes} ❌ {no}" + (" · moved" if s.moved else "")
        lines.append(line)
    leads = await ctx.reminders.leads(guild.id, found.id)
    pages = lists.paginate(
        [
            lists.Group("Series", series_lines or ["None yet. Add one with `/session add`."]),
            lists.Group(f"Next {weeks} week(s)", lines or ["No sessions."]),
        ],
        title=f"Sessions: {found.name}",
        footer="Reminders: "
        + (", ".join(format_lead(m) for m in leads) + " before" if leads else "off"),
    )
    await send_pages(interaction, to_embeds(pages, colour=discord.Colour.blurple()))


async def delete(
    ctx: SessionsContext, interaction: discord.Interaction, series: str, message: str | None
) -> None:
    config, reach = await require_reach(interaction)
    guild = guild_of(interaction)
    if message is not None:  # given but blank is a mistake, not "no message"
        message = inputs.text(message, "message", max_length=500, single_line=False)
    found = await ctx.store.series(inputs.snowflake(series, "series", what="a series"))
    if found is None or found.guild_id != guild.id or found.status != "active":
        raise UserError("`series`: I can't find that series. Pick one from the list as you type.")
    reach.require(found.cohort_id)
    await interaction.response.defer(ephemeral=True, thinking=True)
    now = ctx.now()
    upcoming = [s for s in await ctx.store.sessions_of_series(found.id, now)]
    await ctx.events.delete_events(guild.id, upcoming)
    async with ctx.bot.db.transaction() as tx:
        await ctx.store.delete_series(tx, found.id)
        # Past sessions stay (attendance history); upcoming ones go with their reminders.
        await ctx.store.delete_occurrences(tx, [s.id for s in upcoming])
    await ctx.after_change(guild.id)
    live = [s for s in upcoming if not s.cancelled]
    text = f"Removed **{found.title}** ({describe_weekdays(found.weekdays)}) from the schedule."
    if live:
        summary = f"**{found.title}** is no longer on the schedule."
        posted, dms = await ctx.sender.announce_change(
            live, texts.CANCELLED_TITLE, summary, message
        )
        text = told(text, posted, dms)
    await post_log(
        ctx.bot.outbox,
        guild,
        config,
        f"{interaction.user.mention} removed the series **{found.title}**.",
    )
    await send_private(interaction, text)
