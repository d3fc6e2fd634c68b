"""`/cohort ...`: private cohort spaces, enrolment with consent, graduation, archive, repair.

The commands are thin: each checks its options' shape and hands over to the service that
owns the work (`Lifecycle`, `Repair`, `Enrolment`, `Graduation`, `overview`, `views`)."""

from __future__ import annotations

import contextlib

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import LanternBot
from bot.storage.database import DatabaseClosedError
from cogs.cohorts import logic, overview
from cogs.cohorts.api import Membership
from cogs.cohorts.ending import EndingAsks
from cogs.cohorts.ending_views import EndingButton
from cogs.cohorts.enrolment import Enrolment
from cogs.cohorts.graduation import Graduation
from cogs.cohorts.lifecycle import Lifecycle
from cogs.cohorts.lookup import cohort_choices
from cogs.cohorts.repair import Repair
from cogs.cohorts.store import CohortStore
from cogs.cohorts.team_post import TeamPoster
from cogs.cohorts.teams import Teams
from cogs.cohorts.views import ConsentButton, open_agreement_editor


def quiet_at_shutdown() -> contextlib.AbstractContextManager[None]:
    """Discord events that arrive while Lantern shuts down: `/cohort repair` and the next
    start see what they would have noted."""
    return contextlib.suppress(DatabaseClosedError)


class Cohorts(commands.Cog):
    cohort = app_commands.Group(
        name="cohort", description="Cohorts: private group spaces (facilitators)", guild_only=True
    )
    graduate = app_commands.Group(
        name="graduate", description="Graduate people into alumni", parent=cohort
    )
    team = app_commands.Group(
        name="team", description="A cohort's care team: its own facilitators", parent=cohort
    )

    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        self.store = CohortStore(bot.db)
        self.lifecycle = Lifecycle(bot, self.store)
        self.repairs = Repair(bot, self.store)
        self.enrolment = Enrolment(bot, self.store)
        self.graduation = Graduation(bot, self.store)
        self.teams = Teams(bot, self.store)
        self.ending = EndingAsks(bot, self.store)
        self.team_posts = TeamPoster(bot, self.store)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ConsentButton, EndingButton)
        self.bot.person_homes.append(self._servers_of)
        await self.ending.start()
        self.team_posts.register()

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ConsentButton, EndingButton)
        if self._servers_of in self.bot.person_homes:
            self.bot.person_homes.remove(self._servers_of)
        self.ending.stop()
        self.team_posts.unregister()

    async def _servers_of(self, user_id: int) -> list[int]:
        return await Membership(self.bot.db).servers_of(user_id)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Catch up on asks due while Lantern was down (guild settings are known by now).
        await self.ending.run()
        for guild in self.bot.guilds:
            with quiet_at_shutdown():
                await self.teams.reconcile(guild)

    async def _cohort_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await cohort_choices(self.store, interaction, current, include_archived=True)

    # --- create / list / info --------------------------------------------------------

    @cohort.command(name="create", description="Create a cohort with its private channels")
    @app_commands.describe(
        name="e.g. Spring Evening 2026",
        start="First day, YYYY-MM-DD",
        end="Last day, YYYY-MM-DD",
        capacity=f"Most people at once (default {logic.DEFAULT_CAPACITY})",
    )
    async def create(
        self,
        interaction: discord.Interaction,
        name: str,
        start: str,
        end: str,
        capacity: app_commands.Range[int, 1, logic.MAX_CAPACITY] | None = None,
    ) -> None:
        await self.lifecycle.create(interaction, name, start, end, capacity)

    @cohort.command(name="list", description="All cohorts with their dates and enrolment")
    async def list_(self, interaction: discord.Interaction) -> None:
        await overview.list_cohorts(interaction, self.store)

    @cohort.command(name="info", description="Members, status, dates and consent of a cohort")
    @app_commands.describe(cohort="The cohort")
    async def info(self, interaction: discord.Interaction, cohort: str) -> None:
        await overview.cohort_info(interaction, self.store, cohort)

    # --- enrolment -------------------------------------------------------------------

    @cohort.command(name="enroll", description="Enrol someone (they agree to the group first)")
    @app_commands.describe(member="Who to enrol", cohort="The cohort")
    async def enroll(
        self, interaction: discord.Interaction, member: discord.Member, cohort: str
    ) -> None:
        await self.enrolment.enroll(interaction, member, cohort)

    @cohort.command(name="remove", description="Take someone out of a cohort")
    @app_commands.describe(member="Who to remove", cohort="The cohort", reason="Kept in the log")
    async def remove(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        cohort: str,
        reason: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        await self.enrolment.remove(interaction, member, cohort, reason)

    # --- graduation ------------------------------------------------------------------

    @graduate.command(name="member", description="Graduate one person into the alumni")
    @app_commands.describe(
        member="Who graduates",
        cohort="Their cohort",
        keep_history="Let them keep reading the cohort's channels (default: yes)",
    )
    async def graduate_member(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        cohort: str,
        keep_history: bool = True,
    ) -> None:
        await self.graduation.member(interaction, member, cohort, keep_history)

    @graduate.command(name="all", description="Graduate everyone in a cohort into the alumni")
    @app_commands.describe(
        cohort="The cohort",
        keep_history="Let them keep reading the cohort's channels (default: yes)",
    )
    async def graduate_all(
        self, interaction: discord.Interaction, cohort: str, keep_history: bool = True
    ) -> None:
        await self.graduation.everyone(interaction, cohort, keep_history)

    # --- care teams ------------------------------------------------------------------

    @team.command(name="add", description="Name a facilitator (or a role) of a cohort's team")
    @app_commands.describe(cohort="The cohort", member="A facilitator, or a role of them")
    async def team_add(
        self, interaction: discord.Interaction, cohort: str, member: discord.Member | discord.Role
    ) -> None:
        await self.teams.add(interaction, cohort, member)

    @team.command(name="remove", description="Take someone (or a role) off a cohort's team")
    @app_commands.describe(cohort="The cohort", member="A facilitator, or a role, on the team")
    async def team_remove(
        self, interaction: discord.Interaction, cohort: str, member: discord.Member | discord.Role
    ) -> None:
        await self.teams.remove(interaction, cohort, member)

    @team.command(name="channel", description="Where a cohort's care team is asked and alerted")
    @app_commands.describe(
        cohort="The cohort", channel="A private channel (leave out: the staff channels)"
    )
    async def team_channel(
        self,
        interaction: discord.Interaction,
        cohort: str,
        channel: discord.TextChannel | None = None,
    ) -> None:
        await self.teams.set_channel(interaction, cohort, channel)

    @team.command(name="list", description="Who is on a cohort's care team")
    @app_commands.describe(cohort="The cohort")
    async def team_list(self, interaction: discord.Interaction, cohort: str) -> None:
        await self.teams.show(interaction, cohort)

    @cohort.command(name="extend", description="Give a cohort a later end date")
    @app_commands.describe(cohort="The cohort", end="New last day, YYYY-MM-DD")
    async def extend(self, interaction: discord.Interaction, cohort: str, end: str) -> None:
        await self.lifecycle.extend(interaction, cohort, end)

    # --- archive / delete / repair ---------------------------------------------------

    @cohort.command(name="archive", description="Make a cohort read-only when it ends")
    @app_commands.describe(
        cohort="The cohort", keep_access="Members can still read it (default: yes)"
    )
    async def archive(
        self, interaction: discord.Interaction, cohort: str, keep_access: bool = True
    ) -> None:
        await self.lifecycle.archive(interaction, cohort, keep_access)

    @cohort.command(name="delete", description="Delete an archived cohort's channels and roles")
    @app_commands.describe(cohort="An archived cohort")
    async def delete(self, interaction: discord.Interaction, cohort: str) -> None:
        await self.lifecycle.delete(interaction, cohort)

    @cohort.command(name="repair", description="Recreate or re-apply what Lantern manages")
    @app_commands.describe(cohort="The cohort")
    async def repair(self, interaction: discord.Interaction, cohort: str) -> None:
        await self.repairs.repair(interaction, cohort)

    # --- report / agreement ----------------------------------------------------------

    @cohort.command(name="report", description="The cohort's check-ins and assessments as CSV")
    @app_commands.describe(cohort="The cohort")
    async def report(self, interaction: discord.Interaction, cohort: str) -> None:
        await overview.send_report(interaction, self.bot, self.store, cohort)

    @cohort.command(name="agreement", description="Edit the group agreement people accept")
    async def agreement(self, interaction: discord.Interaction) -> None:
        await open_agreement_editor(interaction, self.bot, self.store)

    # --- noticing hand-made changes --------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        with quiet_at_shutdown():
            await self.repairs.piece_gone(channel.guild, channel.id, f"#{channel.name}")

    @commands.Cog.listener()
    async def on_guild_role_delete(self, role: discord.Role) -> None:
        with quiet_at_shutdown():
            await self.teams.forget(role.guild.id, role_id=role.id)
            await self.repairs.piece_gone(role.guild, role.id, f"@{role.name}")

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        with quiet_at_shutdown():
            await self.teams.forget(payload.guild_id, user_id=payload.user.id)

    # autocompletes
    info.autocomplete("cohort")(_cohort_names)
    enroll.autocomplete("cohort")(_cohort_names)
    remove.autocomplete("cohort")(_cohort_names)
    graduate_member.autocomplete("cohort")(_cohort_names)
    graduate_all.autocomplete("cohort")(_cohort_names)
    archive.autocomplete("cohort")(_cohort_names)
    delete.autocomplete("cohort")(_cohort_names)
    repair.autocomplete("cohort")(_cohort_names)
    report.autocomplete("cohort")(_cohort_names)
    extend.autocomplete("cohort")(_cohort_names)
    team_add.autocomplete("cohort")(_cohort_names)
    team_remove.autocomplete("cohort")(_cohort_names)
    team_list.autocomplete("cohort")(_cohort_names)
    team_channel.autocomplete("cohort")(_cohort_names)
