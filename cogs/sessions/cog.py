"""`/session ...` (facilitators), `/schedule` (participants), `/attendance` and the RSVP,
attendance and calendar components. Discord I/O only: the rules live in recurrence.py and
logic.py, the SQL in store.py, reminder sending in reminders.py, events in events.py."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import datetime, time, timedelta
from typing import Literal

import discord
from apscheduler.triggers.interval import IntervalTrigger
from discord import app_commands
from discord.ext import commands

from bot.checks import guild_of, member_is_facilitator, require_facilitator
from bot.client import LanternBot
from bot.errors import UserError
from bot.interactions import NO_PINGS, send_private
from bot.staff import post_log
from bot.storage import Transaction
from bot.storage.database import DatabaseClosedError
from cogs.cohorts.logic import CohortStatus
from cogs.cohorts.lookup import cohort_choices, find_cohort
from cogs.cohorts.store import Cohort, CohortStore
from cogs.sessions import ics, logic, planning, texts
from cogs.sessions.events import EventPublisher
from cogs.sessions.recurrence import (
    KINDS,
    RecurrenceError,
    Rule,
    describe_weekdays,
    format_clock,
    format_duration,
    format_lead,
    format_when,
    occurrences,
    parse_date,
    parse_duration,
    parse_lead,
    parse_leads,
    parse_time,
    resolve_local,
    to_local,
)
from cogs.sessions.reminders import ReminderSender, session_embed, session_name
from cogs.sessions.store import Prefs, Series, Session, SessionStore
from cogs.sessions.views import DYNAMIC_ITEMS, ReasonModal, attendance_view, calendar_view
from cogs.setup.logic import normalise_timezone

log = logging.getLogger(__name__)

PLAN_JOB = "sessions:plan:all"
Scope = Literal["this", "following"]
KIND_CHOICES = [app_commands.Choice(name=texts.KIND_LABELS[k], value=k) for k in KINDS]


def _user_error(exc: RecurrenceError) -> UserError:
    return UserError(str(exc))


class Sessions(commands.Cog):
    session = app_commands.Group(
        name="session", description="Session schedule and reminders (facilitators)", guild_only=True
    )

    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        self.store = SessionStore(bot.db)
        self.cohorts = CohortStore(bot.db)
        self.sender = ReminderSender(bot, self.store)
        self.events = EventPublisher(bot, self.store)

    # --- start-up: everything the scheduler needs comes from the database -------------------

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        await self.rebuild()
        self.bot.scheduler.add(
            PLAN_JOB, IntervalTrigger(hours=6), self.periodic, grace_seconds=3600
        )

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        self.bot.scheduler.remove(PLAN_JOB)
        self.bot.scheduler.remove_prefix("sessions:")

    async def rebuild(self) -> None:
        """Extend occurrences to the horizon and arm the one reminder job."""
        await planning.extend(self.store, self.bot.clock.now())
        await self.sender.rearm()

    async def periodic(self) -> None:
        """Every 6 hours: occurrences for the weeks coming into view, their reminders, and
        the Discord events of the next week."""
        try:
            await self.rebuild()
            for guild_id in await self.store.guilds_with_sessions():
                await self.events.sync(guild_id)
        except (DatabaseClosedError, asyncio.CancelledError):
            if not self.bot.is_closed():
                raise
            # Shutting down mid-run: everything is rebuilt from the database at the next start.

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Events can only be published once guilds are known; sync is idempotent.
        try:
            for guild_id in await self.store.guilds_with_sessions():
                await self.events.sync(guild_id)
        except DatabaseClosedError:
            pass  # shut down before it finished; the periodic job catches up

    @commands.Cog.listener()
    async def on_cohort_member_joined(self, member: discord.Member, cohort: Cohort) -> None:
        await self._replan_person(cohort.id, member.id)

    @commands.Cog.listener()
    async def on_cohort_member_left(
        self, guild: discord.Guild, user_id: int, cohort: Cohort, reason: str
    ) -> None:
        await self._replan_person(cohort.id, user_id)

    async def _replan_person(self, cohort_id: int, user_id: int) -> None:
        """Their DM reminders follow their membership."""
        try:
            now = self.bot.clock.now()
            await planning.replan_cohorts(self.store, [cohort_id], now, user_id=user_id)
            await self.sender.rearm()
        except DatabaseClosedError:
            pass  # shutting down; the plan is rebuilt from the database at the next start

    # --- lookups ---------------------------------------------------------------------------

    async def _cohort(self, guild: discord.Guild, name: str) -> Cohort:
        return await find_cohort(self.cohorts, guild, name)

    async def _session(self, guild: discord.Guild, raw: str) -> Session:
        found = await self.store.session(int(raw)) if raw.strip().isdigit() else None
        if found is None or found.guild_id != guild.id:
            raise UserError("I can't find that session. Pick one from the list as you type.")
        return found

    async def _cohort_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await cohort_choices(self.cohorts, interaction, current)

    async def _is_facilitator(self, interaction: discord.Interaction) -> bool:
        if not isinstance(interaction.user, discord.Member):
            return False
        config = await self.bot.guild_configs.get(interaction.guild_id or 0)
        return member_is_facilitator(interaction.user, config)

    async def _upcoming_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Upcoming sessions of the server (facilitators only: they list every cohort)."""
        if interaction.guild is None or not await self._is_facilitator(interaction):
            return []
        now = self.bot.clock.now()
        sessions = await self.store.sessions_of_guild(
            interaction.guild.id, now, now + planning.HORIZON
        )
        return await self._choices(interaction.guild.id, sessions, current)

    async def _past_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild is None or not await self._is_facilitator(interaction):
            return []
        now = self.bot.clock.now()
        sessions = await self.store.sessions_of_guild(
            interaction.guild.id, now - timedelta(days=14), now
        )
        return await self._choices(interaction.guild.id, list(reversed(sessions)), current)

    async def _choices(
        self, guild_id: int, sessions: list[Session], current: str
    ) -> list[app_commands.Choice[str]]:
        names = {c.id: c.name for c in await self.cohorts.list(guild_id)}
        typed = current.strip().lower()
        choices = []
        for s in sessions:
            if s.cancelled:
                continue
            label = f"{names.get(s.cohort_id, '?')} · {session_name(s)} · "
            label += format_when(s.starts_at, s.timezone)
            if typed in label.lower() or typed == str(s.id):
                choices.append(app_commands.Choice(name=label[:100], value=str(s.id)))
        return choices[:25]

    async def _series_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild is None or not await self._is_facilitator(interaction):
            return []
        names = {c.id: c.name for c in await self.cohorts.list(interaction.guild.id)}
        typed = current.strip().lower()
        choices = []
        for s in await self.store.series_of_guild(interaction.guild.id):
            label = f"{names.get(s.cohort_id, '?')} · {s.title} · {describe_weekdays(s.weekdays)} "
            label += format_clock(s.start_time)
            if typed in label.lower():
                choices.append(app_commands.Choice(name=label[:100], value=str(s.id)))
        return choices[:25]

    async def _after_change(self, guild_id: int) -> None:
        await self.sender.rearm()
        await self.events.sync(guild_id)

    # --- /session add ----------------------------------------------------------------------

    @session.command(name="add", description="Add a recurring series (or a one-off session)")
    @app_commands.rename(at="time")
    @app_commands.describe(
        cohort="The cohort",
        title="e.g. Group therapy",
        weekdays="e.g. Mon,Wed,Thu · weekdays · daily · once (a one-off on the starts date)",
        at="Start time in the program's timezone: 18:00 or 6pm",
        duration="e.g. 3h, 90m, 2h30m",
        kind="What kind of session (default: group)",
        location="Where it happens (a room, an address)",
        link="A video link (https://…)",
        starts="First day, YYYY-MM-DD (default: today or the cohort's start)",
        ends="Last day, YYYY-MM-DD (default: the cohort's end)",
    )
    @app_commands.choices(kind=KIND_CHOICES)
    async def add(
        self,
        interaction: discord.Interaction,
        cohort: str,
        title: str,
        weekdays: str,
        at: str,
        duration: str,
        kind: str = "group",
        location: str | None = None,
        link: str | None = None,
        starts: str | None = None,
        ends: str | None = None,
    ) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await self._cohort(guild, cohort)
        if found.status != CohortStatus.ACTIVE:
            raise UserError(f"**{found.name}** is archived; it can't get new sessions.")
        zone = config.timezone or "UTC"
        now = self.bot.clock.now()
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
            raise _user_error(exc) from None
        if kind not in KINDS:
            raise UserError(f"Choose a kind from the list: {', '.join(KINDS)}.")
        upcoming = occurrences(rule, now, now + timedelta(days=400))
        if not upcoming:
            raise UserError(
                "That schedule has no session in the future: the time has already passed "
                "(or no chosen weekday falls between the start and end dates)."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.bot.db.transaction() as tx:
            series_id = await self.store.add_series(
                tx, guild_id=guild.id, cohort_id=found.id, title=clean_title, kind=kind,
                rule=rule, location=place, link=url, by=interaction.user.id, now=now,
            )  # fmt: skip
        series = await self.store.series(series_id)
        assert series is not None  # noqa: S101 (just inserted)
        await planning.extend(self.store, now, [series])
        await self._after_change(guild.id)
        log.info("session series added", extra={"guild_id": guild.id, "series_id": series_id})
        leads = await self.store.leads(guild.id, found.id)
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
            guild,
            config,
            f"{interaction.user.mention} added sessions **{clean_title}** for **{found.name}**.",
        )
        await send_private(interaction, text)

    # --- /session list ---------------------------------------------------------------------

    @session.command(name="list", description="A cohort's series and upcoming sessions")
    @app_commands.describe(cohort="The cohort", weeks="How many weeks ahead (default 2)")
    async def list_(
        self,
        interaction: discord.Interaction,
        cohort: str,
        weeks: app_commands.Range[int, 1, 4] = 2,
    ) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await self._cohort(guild, cohort)
        now = self.bot.clock.now()
        series = await self.store.series_of_cohort(found.id)
        sessions = await self.store.sessions_of_cohort(found.id, now, now + timedelta(weeks=weeks))
        counts = await self.store.rsvp_counts([s.id for s in sessions])
        embed = discord.Embed(title=f"Sessions: {found.name}", colour=discord.Colour.blurple())
        embed.add_field(
            name="Series",
            value="\n".join(
                f"#{s.id} **{s.title}** · {describe_weekdays(s.weekdays)} "
                f"{format_clock(s.start_time)} ({format_duration(s.duration_minutes)}) "
                f"until {s.ends_on:%b} {s.ends_on.day}"
                for s in series
            )[:1024]
            or "None yet. Add one with `/session add`.",
            inline=False,
        )
        lines = []
        for s in sessions:
            line = f"{format_when(s.starts_at, s.timezone)} · {session_name(s)}"
            if s.cancelled:
                line = f"~~{line}~~ cancelled"
            else:
                yes, no = counts.get(s.id, (0, 0))
                line += f" · ✅ {yes} ❌ {no}" + (" · moved" if s.moved else "")
            lines.append(line)
        embed.add_field(
            name=f"Next {weeks} week(s)",
            value="\n".join(lines)[:1024] or "No sessions.",
            inline=False,
        )
        leads = await self.store.leads(guild.id, found.id)
        embed.set_footer(
            text="Reminders: "
            + (", ".join(format_lead(m) for m in leads) + " before" if leads else "off")
        )
        await send_private(interaction, embed=embed)

    # --- /session cancel and /session move -------------------------------------------------

    @session.command(name="cancel", description="Cancel one session or the rest of its series")
    @app_commands.describe(
        session="The session",
        scope="Just this one, or this and all later ones in the series",
        message="Told to the cohort with the change",
    )
    async def cancel(
        self,
        interaction: discord.Interaction,
        session: str,
        scope: Scope = "this",
        message: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        target = await self._session(guild, session)
        now = self.bot.clock.now()
        if target.cancelled:
            raise UserError("That session is already cancelled.")
        if target.starts_at <= now:
            raise UserError("That session has already started; it can't be cancelled.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        if scope == "this":
            affected = [target]
            async with self.bot.db.transaction() as tx:
                await self.store.cancel(tx, target.id, message)
        else:
            affected = await self._from_here(target)
            series = await self.store.series(target.series_id)
            async with self.bot.db.transaction() as tx:
                await self._end_series_before(tx, series, target)
                for s in affected:
                    await self.store.cancel(tx, s.id, message)
        await planning.plan(self.store, [s.id for s in affected], now)
        await self._after_change(guild.id)
        summary = self._change_summary(affected, "is cancelled", "are cancelled")
        if scope == "following":
            summary += "\nLater sessions of this series won't happen either."
        posted, dms = await self.sender.announce_change(
            affected, texts.CANCELLED_TITLE, summary, message
        )
        await post_log(guild, config, f"{interaction.user.mention} cancelled: {summary}"[:2000])
        await send_private(interaction, self._told(summary, posted, dms))

    @session.command(name="move", description="Move one session, or change the time from here on")
    @app_commands.rename(at="time")
    @app_commands.describe(
        session="The session",
        date="New date, YYYY-MM-DD (only for a single session)",
        at="New start time: 18:00 or 6pm",
        duration="New length, e.g. 90m",
        scope="Just this one, or this and all later ones in the series",
        message="Told to the cohort with the change",
    )
    async def move(
        self,
        interaction: discord.Interaction,
        session: str,
        date: str | None = None,
        at: str | None = None,
        duration: str | None = None,
        scope: Scope = "this",
        message: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        target = await self._session(guild, session)
        now = self.bot.clock.now()
        if target.cancelled:
            raise UserError("That session is cancelled; add a new one instead.")
        if target.starts_at <= now:
            raise UserError("That session has already started; it can't be moved.")
        if date is None and at is None and duration is None:
            raise UserError("Give a new `date`, `time` or `duration`.")
        if scope == "following" and date is not None:
            raise UserError(
                "A new date only works for a single session. To change the days of a series, "
                "delete it and add it again."
            )
        zone = target.timezone
        current = to_local(target.starts_at, zone)
        try:
            day = parse_date(date, "new") if date else current.date()
            start_time = parse_time(at) if at else current.time()
            minutes = (
                parse_duration(duration)
                if duration
                else int((target.ends_at - target.starts_at).total_seconds() // 60)
            )
        except RecurrenceError as exc:
            raise _user_error(exc) from None
        starts = resolve_local(datetime.combine(day, start_time), zone)
        if starts <= now:
            raise UserError(f"{format_when(starts, zone)} is in the past. Choose a later time.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        series = await self.store.series(target.series_id)
        if scope == "this" or series is None or not series.weekdays:
            affected = [target]
            async with self.bot.db.transaction() as tx:
                await self.store.move(
                    tx, target.id, starts, starts + timedelta(minutes=minutes), message
                )
            await planning.plan(self.store, [target.id], now)
            moved = await self.store.sessions_by_ids([target.id])
        else:
            affected, moved = await self._split_series(series, target, start_time, minutes, now)
        await self._after_change(guild.id)
        before = self._change_summary(affected, "", "")
        after = "\n".join(
            f"• {session_name(s)}: **{format_when(s.starts_at, s.timezone)}** to "
            f"{format_clock(to_local(s.ends_at, s.timezone))}"
            for s in moved[:10]
        )
        summary = f"Was:\n{before}\nNow:\n{after}"
        if scope == "following":
            summary += "\nLater sessions of this series follow the new time."
        posted, dms = await self.sender.announce_change(moved, texts.MOVED_TITLE, summary, message)
        await post_log(
            guild, config, f"{interaction.user.mention} moved sessions.\n{summary}"[:2000]
        )
        await send_private(interaction, self._told(summary, posted, dms))

    async def _from_here(self, target: Session) -> list[Session]:
        """This session and every later one of its series that isn't cancelled."""
        later = await self.store.sessions_of_series(target.series_id, target.starts_at)
        day = target.original_start.date()
        return [s for s in later if s.original_start.date() >= day and not s.cancelled]

    async def _end_series_before(
        self, tx: Transaction, series: Series | None, target: Session
    ) -> None:
        """The series stops the day before `target` (or goes entirely if that's its start)."""
        if series is None:
            return
        day = target.original_start.date()
        if day <= series.starts_on:
            await self.store.delete_series(tx, series.id)
        else:
            await self.store.end_series(tx, series.id, day - timedelta(days=1))

    async def _split_series(
        self, series: Series, target: Session, start_time: time, minutes: int, now: datetime
    ) -> tuple[list[Session], list[Session]]:
        """ "This and following": the series ends before `target`; a new series with the new
        time takes over from its date (past sessions keep their history). Single changes
        made to the later sessions are replaced by the new time."""
        affected = await self._from_here(target)
        await self.events.delete_events(target.guild_id, affected)
        day = target.original_start.date()
        rule = Rule(series.weekdays, start_time, minutes, series.timezone, day, series.ends_on)
        async with self.bot.db.transaction() as tx:
            await self._end_series_before(tx, series, target)
            later = await self.store.sessions_of_series(series.id, target.starts_at)
            await self.store.delete_occurrences(
                tx, [s.id for s in later if s.original_start.date() >= day]
            )
            new_id = await self.store.add_series(
                tx, guild_id=series.guild_id, cohort_id=series.cohort_id, title=series.title,
                kind=series.kind, rule=rule, location=series.location, link=series.link,
                by=0, now=now,
            )  # fmt: skip
        new_series = await self.store.series(new_id)
        assert new_series is not None  # noqa: S101
        await planning.extend(self.store, now, [new_series])
        moved = await self.store.sessions_of_series(new_id, now)
        return affected, moved

    def _change_summary(self, sessions: list[Session], one: str, many: str) -> str:
        lines = [
            f"• {session_name(s)}: **{format_when(s.starts_at, s.timezone)}**"
            for s in sessions[:10]
        ]
        if len(sessions) > 10:
            lines.append(f"…and {len(sessions) - 10} more")
        verb = one if len(sessions) == 1 else many
        return "\n".join(lines) + (f" {verb}" if verb else "")

    def _told(self, summary: str, posted: bool, dms: int) -> str:
        told = "Posted in the cohort's announcements" if posted else "I couldn't post it"
        told += f" and sent {dms} DM(s)." if dms else "."
        return f"Done.\n{summary}\n{told}"

    # --- /session delete -------------------------------------------------------------------

    @session.command(name="delete", description="Remove a series from the schedule")
    @app_commands.describe(series="The series", message="Told to the cohort with the change")
    async def delete(
        self,
        interaction: discord.Interaction,
        series: str,
        message: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await self.store.series(int(series)) if series.strip().isdigit() else None
        if found is None or found.guild_id != guild.id or found.status != "active":
            raise UserError("I can't find that series. Pick one from the list as you type.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = self.bot.clock.now()
        upcoming = [s for s in await self.store.sessions_of_series(found.id, now)]
        await self.events.delete_events(guild.id, upcoming)
        async with self.bot.db.transaction() as tx:
            await self.store.delete_series(tx, found.id)
            # Past sessions stay (attendance history); upcoming ones go with their reminders.
            await self.store.delete_occurrences(tx, [s.id for s in upcoming])
        await self._after_change(guild.id)
        live = [s for s in upcoming if not s.cancelled]
        text = f"Removed **{found.title}** ({describe_weekdays(found.weekdays)}) from the schedule."
        if live:
            summary = f"**{found.title}** is no longer on the schedule."
            posted, dms = await self.sender.announce_change(
                live, texts.CANCELLED_TITLE, summary, message
            )
            text = self._told(text, posted, dms)
        await post_log(
            guild, config, f"{interaction.user.mention} removed the series **{found.title}**."
        )
        await send_private(interaction, text)

    # --- /session reminders and /session rsvps ---------------------------------------------

    @session.command(name="reminders", description="When reminders are posted (server or cohort)")
    @app_commands.describe(
        lead_times="e.g. 24h,1h · none · default (a cohort goes back to the server's)",
        cohort="Only for this cohort (default: the whole server)",
    )
    async def reminders(
        self, interaction: discord.Interaction, lead_times: str, cohort: str | None = None
    ) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await self._cohort(guild, cohort) if cohort else None
        leads: tuple[int, ...] | None
        if lead_times.strip().lower() == "default":
            if found is None:
                raise UserError("`default` is for a cohort: give the `cohort` option.")
            leads = None
        else:
            try:
                leads = parse_leads(lead_times)
            except RecurrenceError as exc:
                raise _user_error(exc) from None
        now = self.bot.clock.now()
        await self.store.set_leads(
            guild.id, found.id if found else 0, leads, interaction.user.id, now
        )
        targets = [found.id] if found else [c.id for c in await self.cohorts.list(guild.id)]
        await planning.replan_cohorts(self.store, targets, now)
        await self.sender.rearm()
        effective = await self.store.leads(guild.id, found.id if found else 0)
        where = f"**{found.name}**" if found else "this server"
        said = ", ".join(format_lead(m) for m in effective) + " before" if effective else "off"
        await post_log(
            guild, config, f"{interaction.user.mention} set reminders for {where}: {said}."
        )
        await send_private(interaction, f"Reminders for {where}: {said}.")

    @session.command(name="rsvps", description="Who said they'll come (with reasons)")
    @app_commands.describe(session="The session")
    async def rsvps(self, interaction: discord.Interaction, session: str) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        target = await self._session(guild, session)
        answers = await self.store.rsvps(target.id)
        members = await self.store.active_members(target.cohort_id)
        yes = [f"<@{u}>" for u, (a, _) in answers.items() if a == "yes"]
        no = [f"<@{u}>" + (f": {r}" if r else "") for u, (a, r) in answers.items() if a == "no"]
        silent = [f"<@{u}>" for u in members if u not in answers]
        embed = discord.Embed(
            title=f"{session_name(target)}, {format_when(target.starts_at, target.timezone)}",
            description=f"Expected: **{len(yes)}** of {len(members)}",
            colour=discord.Colour.blurple(),
        )
        embed.add_field(name="I'll be there", value="\n".join(yes)[:1024] or "—", inline=False)
        embed.add_field(name="Can't make it", value="\n".join(no)[:1024] or "—", inline=False)
        embed.add_field(name="No answer yet", value=" ".join(silent)[:1024] or "—", inline=False)
        await send_private(interaction, embed=embed)

    # --- RSVP buttons ----------------------------------------------------------------------

    async def _rsvp_target(self, interaction: discord.Interaction, occurrence_id: int) -> Session:
        target = await self.store.session(occurrence_id)
        if target is None or target.cancelled:
            raise UserError("This session was cancelled, so there's nothing to answer.")
        if target.starts_at <= self.bot.clock.now():
            raise UserError("This session has already started.")
        cohort_id = await self.store.active_cohort_of(target.guild_id, interaction.user.id)
        if cohort_id != target.cohort_id:
            raise UserError("Only members of this session's cohort can answer.")
        return target

    async def rsvp(self, interaction: discord.Interaction, occurrence_id: int, answer: str) -> None:
        target = await self._rsvp_target(interaction, occurrence_id)
        await self.store.rsvp(target.id, interaction.user.id, answer, None, self.bot.clock.now())
        log.debug("rsvp", extra={"occurrence_id": target.id, "answer": answer})
        if answer == "yes":
            await send_private(interaction, texts.RSVP_YES)
        else:
            await interaction.response.send_modal(ReasonModal(target.id))

    async def rsvp_reason(
        self, interaction: discord.Interaction, occurrence_id: int, reason: str
    ) -> None:
        target = await self._rsvp_target(interaction, occurrence_id)
        cleaned = " ".join(reason.split())[:300] or None
        await self.store.rsvp(target.id, interaction.user.id, "no", cleaned, self.bot.clock.now())
        await send_private(interaction, texts.RSVP_REASON_SAVED if cleaned else texts.RSVP_NO)

    # --- /attendance -----------------------------------------------------------------------

    @app_commands.command(name="attendance", description="Mark who came to a session")
    @app_commands.guild_only()
    @app_commands.describe(cohort="The cohort", session="Which session (default: the latest)")
    async def attendance(
        self, interaction: discord.Interaction, cohort: str, session: str | None = None
    ) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await self._cohort(guild, cohort)
        now = self.bot.clock.now()
        if session:
            target = await self._session(guild, session)
            if target.cohort_id != found.id:
                raise UserError(f"That session isn't one of **{found.name}**'s.")
        else:
            past = await self.store.sessions_of_cohort(
                found.id, now - timedelta(days=30), now, include_cancelled=False
            )
            if not past:
                raise UserError(f"**{found.name}** has no session in the last 30 days to mark.")
            target = past[-1]
        if target.starts_at > now:
            raise UserError("That session hasn't started yet; mark attendance once it has.")
        embed, view = await self._attendance_message(guild, target)
        await send_private(interaction, embed=embed, view=view)

    async def _attendance_message(
        self, guild: discord.Guild, target: Session
    ) -> tuple[discord.Embed, discord.ui.View]:
        members = await self.store.active_members(target.cohort_id)
        marks = await self.store.attendance(target.id)
        answers = await self.store.rsvps(target.id)
        names = []
        for uid in members:
            member = guild.get_member(uid)
            names.append((uid, member.display_name if member else str(uid)))
        lines = []
        for uid, _name in names:
            rsvp = {"yes": " (said yes)", "no": " (said no)"}.get(
                answers.get(uid, ("", None))[0], ""
            )
            lines.append(f"<@{uid}>: **{marks.get(uid, 'not marked')}**{rsvp}")
        embed = discord.Embed(
            title=f"Attendance: {session_name(target)}",
            description=f"{format_when(target.starts_at, target.timezone)}\n\n"
            + ("\n".join(lines) or "Nobody is enrolled."),
            colour=discord.Colour.blurple(),
        )
        if len(members) > 25:
            embed.set_footer(text="The selects list the first 25 members.")
        return embed, attendance_view(target.id, names)

    async def mark_attendance(
        self, interaction: discord.Interaction, occurrence_id: int, status: str, user_ids: list[int]
    ) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        target = await self.store.session(occurrence_id)
        if target is None or target.guild_id != guild.id:
            raise UserError("That session no longer exists.")
        members = set(await self.store.active_members(target.cohort_id))
        chosen = [u for u in user_ids if u in members]
        await interaction.response.defer()
        now = self.bot.clock.now()
        await self.store.mark(target, chosen, status, interaction.user.id, now)
        if status == "absent":
            for uid in chosen:
                if await self.store.claim_missed_dm(target.id, uid, now):
                    await self._missed_you(guild, target, uid)
        embed, view = await self._attendance_message(guild, target)
        await interaction.edit_original_response(embed=embed, view=view)

    async def _missed_you(self, guild: discord.Guild, target: Session, user_id: int) -> None:
        member = guild.get_member(user_id)
        if member is None:
            return
        prefs = await self.store.prefs(guild.id, user_id)
        text = texts.MISSED_YOU.format(
            name=member.display_name,
            title=session_name(target),
            when=format_when(target.starts_at, prefs.timezone or target.timezone),
        )
        try:
            await member.send(text, allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            log.info("could not send a missed-session DM", extra={"status": exc.status})

    # --- /schedule (participants) ----------------------------------------------------------

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
        guild = guild_of(interaction)
        user_id = interaction.user.id
        now = self.bot.clock.now()
        prefs = await self.store.prefs(guild.id, user_id)
        changed = await self._save_prefs(
            guild, user_id, prefs, timezone, dm_reminders, dm_lead, missed_dm
        )
        prefs = await self.store.prefs(guild.id, user_id) if changed else prefs
        cohort_id = await self.store.active_cohort_of(guild.id, user_id)
        if cohort_id is None:
            pending = await self.cohorts.open_enrollment(guild.id, user_id)
            reply = texts.NOT_YET_AGREED if pending else texts.NOT_ENROLLED
            await send_private(interaction, ("Saved your choices. " if changed else "") + reply)
            return
        if changed:
            await planning.replan_cohorts(self.store, [cohort_id], now, user_id=user_id)
            await self.sender.rearm()
        sessions = await self.store.sessions_of_cohort(cohort_id, now, now + timedelta(weeks=weeks))
        config = await self.bot.guild_configs.get(guild.id)
        zone = prefs.timezone or (config.timezone if config and config.timezone else "UTC")
        await send_private(
            interaction,
            embed=self._schedule_embed(sessions, zone, prefs, weeks),
            view=calendar_view(),
        )

    async def _save_prefs(
        self, guild: discord.Guild, user_id: int, prefs: Prefs, timezone: str | None,
        dm_reminders: bool | None, dm_lead: str | None, missed_dm: bool | None,
    ) -> bool:  # fmt: skip
        if timezone is None and dm_reminders is None and dm_lead is None and missed_dm is None:
            return False
        zone = prefs.timezone
        if timezone is not None:
            zone = normalise_timezone(timezone)
            if zone is None:
                raise UserError(
                    f"`{discord.utils.escape_markdown(timezone)[:40]}` isn't a timezone I know. "
                    "Use a name like `America/Chicago` or `Europe/London`."
                )
        lead = prefs.dm_lead
        if dm_lead is not None:
            try:
                lead = parse_lead(dm_lead)
            except RecurrenceError as exc:
                raise _user_error(exc) from None
        new = Prefs(
            timezone=zone,
            dm_reminders=prefs.dm_reminders if dm_reminders is None else dm_reminders,
            dm_lead=lead,
            missed_dm=prefs.missed_dm if missed_dm is None else missed_dm,
        )
        await self.store.save_prefs(guild.id, user_id, new, self.bot.clock.now())
        return True

    def _schedule_embed(
        self, sessions: list[Session], zone: str, prefs: Prefs, weeks: int
    ) -> discord.Embed:
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
        embed = discord.Embed(
            title="Your next sessions",
            description="\n".join(lines)[:4000] or f"No sessions in the next {weeks} week(s).",
            colour=discord.Colour.blurple(),
        )
        dm = f"on, {format_lead(prefs.dm_lead)} before" if prefs.dm_reminders else "off"
        embed.set_footer(
            text=f"Times in {zone}. DM reminders: {dm}. "
            "Change with /schedule timezone, dm_reminders, dm_lead, missed_dm."
        )
        return embed

    async def send_calendar(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        cohort_id = await self.store.active_cohort_of(guild.id, interaction.user.id)
        if cohort_id is None:
            raise UserError(texts.NOT_ENROLLED)
        now = self.bot.clock.now()
        cohort = await self.cohorts.get(guild.id, cohort_id)
        sessions = await self.store.sessions_of_cohort(
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

    # autocompletes
    add.autocomplete("cohort")(_cohort_names)
    list_.autocomplete("cohort")(_cohort_names)
    reminders.autocomplete("cohort")(_cohort_names)
    attendance.autocomplete("cohort")(_cohort_names)
    cancel.autocomplete("session")(_upcoming_choices)
    move.autocomplete("session")(_upcoming_choices)
    rsvps.autocomplete("session")(_upcoming_choices)
    attendance.autocomplete("session")(_past_choices)
    delete.autocomplete("series")(_series_choices)


# for type checkers: session_embed is re-exported for the sandbox and tests
__all__ = ["Sessions", "session_embed"]
