"""`/session add`, `/session list`, `/session cancel`, `/session move` and `/session delete`:
changing the schedule, and telling the cohort about it."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

import discord
from discord import app_commands

from bot import inputs, lists
from bot.checks import guild_of, require_facilitator
from bot.errors import UserError
from bot.interactions import send_private
from bot.pages import send_pages, to_embeds
from bot.staff import post_log
from bot.storage import Transaction
from cogs.cohorts.api import CohortStatus
from cogs.sessions import logic, planning, texts
from cogs.sessions.lookups import KIND_CHOICES, Scope, SessionLookups, _user_error, session_group
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
    parse_time,
    resolve_local,
    to_local,
)
from cogs.sessions.reminders import session_name
from cogs.sessions.store import Series, Session

# The logger keeps the name it had before cog.py was split.
log = logging.getLogger("cogs.sessions.cog")

SHOWN_CHANGES = 10  # sessions named in a change summary; "…and N more" after them


class ScheduleEditing(SessionLookups):
    """Facilitators' commands that add, show and change sessions."""

    # --- /session add ----------------------------------------------------------------------

    @session_group.command(name="add", description="Add a recurring series (or a one-off session)")
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
            self.bot.outbox,
            guild,
            config,
            f"{interaction.user.mention} added sessions **{clean_title}** for **{found.name}**.",
        )
        await send_private(interaction, text)

    # --- /session list ---------------------------------------------------------------------

    @session_group.command(name="list", description="A cohort's series and upcoming sessions")
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
        leads = await self.store.leads(guild.id, found.id)
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

    # --- /session cancel and /session move -------------------------------------------------

    @session_group.command(
        name="cancel", description="Cancel one session or the rest of its series"
    )
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
        if message is not None:  # given but blank is a mistake, not "no message"
            message = inputs.text(message, "message", max_length=500, single_line=False)
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
        await post_log(
            self.bot.outbox,
            guild,
            config,
            lists.shorten(f"{interaction.user.mention} cancelled: {summary}", 2000),
        )
        await send_private(interaction, self._told(summary, posted, dms))

    @session_group.command(
        name="move", description="Move one session, or change the time from here on"
    )
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
        if message is not None:  # given but blank is a mistake, not "no message"
            message = inputs.text(message, "message", max_length=500, single_line=False)
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
            # "" is a value given (and refused), not a value left out.
            day = parse_date(date, "new") if date is not None else current.date()
            start_time = logic.named("time", parse_time, at) if at is not None else current.time()
            minutes = (
                logic.named("duration", parse_duration, duration)
                if duration is not None
                else int((target.ends_at - target.starts_at).total_seconds() // 60)
            )
        except RecurrenceError as exc:
            raise _user_error(exc) from None
        starts = resolve_local(datetime.combine(day, start_time), zone)
        if starts <= now:
            raise UserError(
                f"`{'date' if date else 'time'}`: {format_when(starts, zone)} is in the past. "
                "Choose a later time."
            )
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
            for s in moved[:SHOWN_CHANGES]
        )
        if len(moved) > SHOWN_CHANGES:
            after += f"\n…and {len(moved) - SHOWN_CHANGES} more"
        summary = f"Was:\n{before}\nNow:\n{after}"
        if scope == "following":
            summary += "\nLater sessions of this series follow the new time."
        posted, dms = await self.sender.announce_change(moved, texts.MOVED_TITLE, summary, message)
        await post_log(
            self.bot.outbox,
            guild,
            config,
            lists.shorten(f"{interaction.user.mention} moved sessions.\n{summary}", 2000),
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
            for s in sessions[:SHOWN_CHANGES]
        ]
        if len(sessions) > SHOWN_CHANGES:
            lines.append(f"…and {len(sessions) - SHOWN_CHANGES} more")
        verb = one if len(sessions) == 1 else many
        return "\n".join(lines) + (f" {verb}" if verb else "")

    def _told(self, summary: str, posted: bool, dms: int) -> str:
        told = "Posted in the cohort's announcements" if posted else "I couldn't post it"
        told += f" and sent {dms} DM(s)." if dms else "."
        # A reply holds 2,000 characters: ten long titles before and after a move pass that.
        # Whole lines only, then "…": the announcement itself lists every session.
        chunks = lists.pack(summary.splitlines(), 2000 - len("Done.\n\n\n…") - len(told))
        shown = chunks[0] + ("\n…" if len(chunks) > 1 else "")
        return f"Done.\n{shown}\n{told}"

    # --- /session delete -------------------------------------------------------------------

    @session_group.command(name="delete", description="Remove a series from the schedule")
    @app_commands.describe(series="The series", message="Told to the cohort with the change")
    async def delete(
        self,
        interaction: discord.Interaction,
        series: str,
        message: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        if message is not None:  # given but blank is a mistake, not "no message"
            message = inputs.text(message, "message", max_length=500, single_line=False)
        found = await self.store.series(inputs.snowflake(series, "series", what="a series"))
        if found is None or found.guild_id != guild.id or found.status != "active":
            raise UserError(
                "`series`: I can't find that series. Pick one from the list as you type."
            )
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
            self.bot.outbox,
            guild,
            config,
            f"{interaction.user.mention} removed the series **{found.title}**.",
        )
        await send_private(interaction, text)

    # autocompletes
    add.autocomplete("cohort")(SessionLookups._cohort_names)
    list_.autocomplete("cohort")(SessionLookups._cohort_names)
    cancel.autocomplete("session")(SessionLookups._upcoming_choices)
    move.autocomplete("session")(SessionLookups._upcoming_choices)
    delete.autocomplete("series")(SessionLookups._series_choices)
