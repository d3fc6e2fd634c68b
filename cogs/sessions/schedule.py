"""`/schedule` (participants): their next sessions, their saved preferences, and the
calendar file (a persistent button under the schedule)."""

from __future__ import annotations

import io
from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot import lists
from bot.buttons import PersistentButton
from bot.checks import guild_of
from bot.errors import UserError
from bot.inputs import parsed
from bot.inputs import timezone as timezone_name
from bot.interactions import send_private
from bot.pages import send_pages, to_embeds
from cogs.sessions import ics, planning, texts
from cogs.sessions.context import SessionsContext
from cogs.sessions.loaded import context_of
from cogs.sessions.records import Session, session_name
from cogs.sessions.recurrence import format_clock, format_lead, format_when, parse_lead, to_local
from cogs.sessions.reminder_store import Prefs


class ScheduleCommand(commands.Cog):
    def __init__(self, ctx: SessionsContext) -> None:
        self.ctx = ctx

    @app_commands.command(name="schedule", description="Your next sessions, in your timezone")
    @app_commands.guild_only()
    @app_commands.describe(
        weeks="How many weeks ahead (default 2)",
        timezone="Show times in this zone, e.g. Europe/London (saved)",
        dm_reminders="Also remind me by DM (saved)",
        dm_lead="How long before, for DM reminders, e.g. 2h (saved)",
        missed_dm="A kind DM if I miss a session (saved; on by default)",
    )
    async def schedule(
        self,
        interaction: discord.Interaction,
        weeks: app_commands.Range[int, 1, 4] = 2,
        timezone: str | None = None,
        dm_reminders: bool | None = None,
        dm_lead: str | None = None,
        missed_dm: bool | None = None,
    ) -> None:
        ctx = self.ctx
        guild = guild_of(interaction)
        user_id = interaction.user.id
        now = ctx.now()
        prefs = await ctx.reminders.prefs(guild.id, user_id)
        changed = await _save_prefs(
            ctx, guild, user_id, prefs, timezone, dm_reminders, dm_lead, missed_dm
        )
        prefs = await ctx.reminders.prefs(guild.id, user_id) if changed else prefs
        cohort_id = await ctx.cohorts.active_cohort_of(guild.id, user_id)
        if cohort_id is None:
            pending = await ctx.cohorts.open_enrollment(guild.id, user_id)
            reply = texts.NOT_YET_AGREED if pending else texts.NOT_ENROLLED
            await send_private(interaction, ("Saved your choices. " if changed else "") + reply)
            return
        if changed:
            await ctx.planner.replan_cohorts([cohort_id], now, user_id=user_id)
            await ctx.sender.rearm()
        sessions = await ctx.store.sessions_of_cohort(cohort_id, now, now + timedelta(weeks=weeks))
        config = await ctx.bot.guild_configs.get(guild.id)
        zone = prefs.timezone or (config.timezone if config and config.timezone else "UTC")
        await send_pages(
            interaction, _schedule_pages(sessions, zone, prefs, weeks), extra=[CalendarButton()]
        )


async def _save_prefs(
    ctx: SessionsContext, guild: discord.Guild, user_id: int, prefs: Prefs,
    timezone: str | None, dm_reminders: bool | None, dm_lead: str | None,
    missed_dm: bool | None,
) -> bool:  # fmt: skip
    if timezone is None and dm_reminders is None and dm_lead is None and missed_dm is None:
        return False
    zone = prefs.timezone
    if timezone is not None:
        zone = timezone_name(timezone, "timezone")
    lead = prefs.dm_lead
    if dm_lead is not None:
        lead = parsed("dm_lead", parse_lead, dm_lead)
    new = Prefs(
        timezone=zone,
        dm_reminders=prefs.dm_reminders if dm_reminders is None else dm_reminders,
        dm_lead=lead,
        missed_dm=prefs.missed_dm if missed_dm is None else missed_dm,
    )
    await ctx.reminders.save_prefs(guild.id, user_id, new, ctx.now())
    return True


def _schedule_pages(
    sessions: list[Session], zone: str, prefs: Prefs, weeks: int
) -> list[discord.Embed]:
    lines = []
    for s in sessions:
        ends = format_clock(to_local(s.ends_at, zone))
        line = f"**{format_when(s.starts_at, zone)}** to {ends} · {session_name(s)}"
        if s.location:
            line += f" · 📍 {s.location}"
        if s.cancelled:
            line = f"~~{line}~~ cancelled"
        elif s.moved:
            line += " · moved"
        lines.append(line)
    dm = f"on, {format_lead(prefs.dm_lead)} before" if prefs.dm_reminders else "off"
    pages = lists.paginate(
        lines=lines,
        title="Your next sessions",
        footer=f"Times in {zone}. DM reminders: {dm}. "
        "Change with /schedule timezone, dm_reminders, dm_lead, missed_dm.",
        empty=f"No sessions in the next {weeks} week(s).",
    )
    return to_embeds(pages, colour=discord.Colour.blurple())


# --- the calendar file -----------------------------------------------------------------------


class CalendarButton(PersistentButton, template=r"lantern:sessions:ics"):
    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label="Add to calendar",
                emoji="📅",
                style=discord.ButtonStyle.secondary,
                custom_id="lantern:sessions:ics",
            )
        )

    async def run(self, interaction: discord.Interaction) -> None:
        await send_calendar(context_of(interaction), interaction)


async def send_calendar(ctx: SessionsContext, interaction: discord.Interaction) -> None:
    guild = guild_of(interaction)
    cohort_id = await ctx.cohorts.active_cohort_of(guild.id, interaction.user.id)
    if cohort_id is None:
        raise UserError(texts.NOT_ENROLLED)
    now = ctx.now()
    cohort = await ctx.cohorts.get(guild.id, cohort_id)
    sessions = await ctx.store.sessions_of_cohort(
        cohort_id, now, now + planning.HORIZON, include_cancelled=False
    )
    events = [
        ics.CalendarEvent(
            uid=f"lantern-session-{s.id}@{guild.id}",
            title=session_name(s),
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            description=f"{cohort.name if cohort else ''} · {texts.KIND_LABELS[s.kind]}",
            location=s.location or s.link or "",
            url=s.link or "",
        )
        for s in sessions
    ]
    data = ics.calendar(events, name=f"{cohort.name if cohort else 'Sessions'}", now=now)
    await interaction.response.send_message(
        f"Your next {len(events)} session(s) as a calendar file. Open it to add them; "
        "changes made later aren't updated in your calendar, so check `/schedule`.",
        file=discord.File(io.BytesIO(data), filename="lantern-sessions.ics"),
        ephemeral=True,
    )
