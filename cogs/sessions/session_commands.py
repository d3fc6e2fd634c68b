"""`/session ...` (facilitators): the schedule (add, list, cancel, move, delete), reminder
lead times and RSVPs. Thin commands: the bodies are in editing.py, changes.py,
reminder_settings.py and rsvp.py."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from cogs.sessions import changes, choices, editing, reminder_settings, rsvp
from cogs.sessions.choices import KIND_CHOICES, Choices, Scope
from cogs.sessions.context import SessionsContext


class SessionCommands(commands.Cog):
    session = app_commands.Group(
        name="session", description="Session schedule and reminders (facilitators)", guild_only=True
    )

    def __init__(self, ctx: SessionsContext) -> None:
        self.ctx = ctx

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
        await editing.add(
            self.ctx, interaction, cohort=cohort, title=title, weekdays=weekdays, at=at,
            duration=duration, kind=kind, location=location, link=link, starts=starts, ends=ends,
        )  # fmt: skip

    @session.command(name="list", description="A cohort's series and upcoming sessions")
    @app_commands.describe(cohort="The cohort", weeks="How many weeks ahead (default 2)")
    async def list_(
        self,
        interaction: discord.Interaction,
        cohort: str,
        weeks: app_commands.Range[int, 1, 4] = 2,
    ) -> None:
        await editing.show(self.ctx, interaction, cohort, weeks)

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
        await changes.cancel(self.ctx, interaction, session, scope, message)

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
        await changes.move(
            self.ctx, interaction, session, date=date, at=at, duration=duration, scope=scope,
            message=message,
        )  # fmt: skip

    @session.command(name="delete", description="Remove a series from the schedule")
    @app_commands.describe(series="The series", message="Told to the cohort with the change")
    async def delete(
        self,
        interaction: discord.Interaction,
        series: str,
        message: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        await editing.delete(self.ctx, interaction, series, message)

    @session.command(name="reminders", description="When reminders are posted (server or cohort)")
    @app_commands.describe(
        lead_times="e.g. 24h,1h · none · default (a cohort goes back to the server's)",
        cohort="Only for this cohort (default: the whole server)",
    )
    async def reminders(
        self, interaction: discord.Interaction, lead_times: str, cohort: str | None = None
    ) -> None:
        await reminder_settings.set_reminders(self.ctx, interaction, lead_times, cohort)

    @session.command(name="rsvps", description="Who said they'll come (with reasons)")
    @app_commands.describe(session="The session")
    async def rsvps(self, interaction: discord.Interaction, session: str) -> None:
        await rsvp.show(self.ctx, interaction, session)

    # --- autocompletes -------------------------------------------------------------------

    @add.autocomplete("cohort")
    @list_.autocomplete("cohort")
    @reminders.autocomplete("cohort")
    async def _cohort_names(self, interaction: discord.Interaction, current: str) -> Choices:
        return await choices.cohort_names(self.ctx, interaction, current)

    @cancel.autocomplete("session")
    @move.autocomplete("session")
    @rsvps.autocomplete("session")
    async def _upcoming(self, interaction: discord.Interaction, current: str) -> Choices:
        return await choices.upcoming(self.ctx, interaction, current)

    @delete.autocomplete("series")
    async def _series(self, interaction: discord.Interaction, current: str) -> Choices:
        return await choices.series(self.ctx, interaction, current)
