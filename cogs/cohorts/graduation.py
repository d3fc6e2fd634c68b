"""Graduation: `/cohort graduate member|all` moves people into the alumni, optionally keeping
read access to their cohort's channels (a "history" role). Other features react to the
`cohort_member_left` event with reason "graduated" (alumni offers its congratulation)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import discord

from bot.checks import guild_of
from bot.client import LanternBot
from bot.confirm import Confirm, ask
from bot.errors import UserError
from bot.interactions import send_private
from bot.staff import post_log
from bot.storage.guilds import GuildConfig
from cogs.cohorts import spaces
from cogs.cohorts.logic import CohortStatus, EnrollmentStatus
from cogs.cohorts.lookup import find_cohort
from cogs.cohorts.reach import require_reach
from cogs.cohorts.store import Cohort, CohortStore, Enrollment

Graduate = tuple[discord.Member, Enrollment]


class Graduation:
    def __init__(self, bot: LanternBot, store: CohortStore) -> None:
        self.bot = bot
        self.store = store

    async def member(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        cohort: str,
        keep_history: bool,
    ) -> None:
        config, reach = await require_reach(interaction)
        guild = guild_of(interaction)
        found = await find_cohort(self.store, guild, cohort)
        reach.require(found.id)
        enrollment = await self.store.open_enrollment(guild.id, member.id)
        if enrollment is None or enrollment.cohort_id != found.id:
            when = await self.store.graduated_on(guild.id, member.id, found.id)
            if when is not None:
                await send_private(
                    interaction,
                    f"{member.mention} already graduated from **{found.name}** "
                    f"on {when:%b %d, %Y}.",
                )
                return
            raise UserError(f"{member.mention} isn't enrolled in **{found.name}**.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.graduate(
            guild, config, found, [(member, enrollment)], interaction.user.id, keep_history
        )
        await send_private(interaction, result)

    async def everyone(
        self, interaction: discord.Interaction, cohort: str, keep_history: bool
    ) -> None:
        """Everyone who agreed, after a confirmation; people still awaiting consent are
        skipped and counted."""
        config, reach = await require_reach(interaction)
        guild = guild_of(interaction)
        found = await find_cohort(self.store, guild, cohort)
        reach.require(found.id)
        people, pending = await self._ready(guild, found)
        if not people:
            raise UserError(f"Nobody in **{found.name}** is ready to graduate.")

        async def confirmed(click: discord.Interaction) -> None:
            result = await self.graduate(guild, config, found, people, click.user.id, keep_history)
            if pending:
                result += (
                    f"\n{pending} person(s) never agreed to the group agreement and were skipped."
                )
            await send_private(click, result)

        await ask(
            interaction,
            f"Graduate **{len(people)}** person(s) of **{found.name}** into the alumni? They "
            "leave the cohort's channels"
            + (" (keeping read access)" if keep_history else "")
            + " and get the alumni role.",
            Confirm(
                interaction.user.id,
                confirmed,
                confirm=f"Graduate {len(people)}",
                working=f"Graduating {len(people)} person(s)…",
            ),
        )

    async def _ready(self, guild: discord.Guild, cohort: Cohort) -> tuple[list[Graduate], int]:
        """Active members still on the server, and how many are still awaiting consent."""
        people: list[Graduate] = []
        pending = 0
        for enrollment in await self.store.members(cohort.id):
            if enrollment.status != EnrollmentStatus.ACTIVE:
                pending += 1
                continue
            member = guild.get_member(enrollment.user_id)
            if member is None:
                try:
                    member = await guild.fetch_member(enrollment.user_id)
                except discord.NotFound:
                    continue
            people.append((member, enrollment))
        return people, pending

    async def graduate(
        self,
        guild: discord.Guild,
        config: GuildConfig,
        cohort: Cohort,
        people: list[Graduate],
        by: int,
        keep_history: bool,
    ) -> str:
        """Give the alumni (and history) role, take the cohort role, record it; returns the
        facilitator's summary."""
        alumni = guild.get_role(config.alumni_role_id or 0)
        if alumni is None:
            raise UserError("The alumni role was deleted. Run `/setup server` to choose one.")
        cohort_role = guild.get_role(cohort.role_id or 0)
        history = await self._history_role(guild, config, cohort) if keep_history else None
        # The program's date, not UTC's: an evening graduation in Chicago is that day's.
        today = self.bot.clock.now().astimezone(ZoneInfo(config.timezone or "UTC")).date()
        done, failed = [], []
        for member, enrollment in people:
            add = [alumni] + ([history] if history else [])
            try:
                await member.add_roles(*add, reason=f"Lantern: graduated from {cohort.name}")
                if cohort_role is not None and cohort_role in member.roles:
                    await member.remove_roles(cohort_role, reason="Lantern: graduated")
            except discord.HTTPException:
                failed.append(member.mention)
                continue
            await self.store.graduate(
                enrollment, by=by, on=today, now=self.bot.clock.now(), keeps_history=keep_history
            )
            done.append(member.mention)
            # Alumni offers its congratulation on this; check-ins stop prompting.
            self.bot.dispatch("cohort_member_left", guild, member.id, cohort, "graduated")
        await post_log(
            self.bot.outbox,
            guild,
            config,
            f"<@{by}> graduated {', '.join(done) or 'nobody'} from **{cohort.name}**.",
        )
        text = (
            f"Graduated {', '.join(done)} from **{cohort.name}**. They now have {alumni.mention}."
        )
        if keep_history:
            text += " They can still read the cohort's channels."
        if failed:
            text += f"\nI couldn't update the roles of {', '.join(failed)}; run `/setup check`."
        return text

    async def _history_role(
        self, guild: discord.Guild, config: GuildConfig, cohort: Cohort
    ) -> discord.Role:
        """The read-only 'history' role, made the first time someone keeps access."""
        space = spaces.locate(guild, cohort)
        if space.history_role is not None:
            return space.history_role
        role = await guild.create_role(
            name=spaces.history_role_name(cohort.name), reason="Lantern: graduates keep history"
        )
        space.history_role = role
        await self.store.update_ids(cohort.id, {"history_role": role.id})
        roles = spaces.roles_for(guild, config, cohort)
        roles.history = role
        await spaces.apply_permissions(
            guild,
            space,
            roles,
            reason="Lantern: graduates keep read access",
            archived=cohort.status != CohortStatus.ACTIVE,
        )
        return role
