"""A cohort's life: `/cohort create` builds its space, `/cohort archive` makes it read-only
and `/cohort delete` removes its channels and roles. Each dispatches
`cohort_spaces_changed(guild_id)` once the database holds the change, so features that keep
the live cohort channels in memory (crisis) reload them."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

import discord

from bot import inputs, permissions
from bot.checks import guild_of, require_facilitator
from bot.client import LanternBot
from bot.confirm import Confirm, ask
from bot.errors import UserError
from bot.interactions import send_private
from bot.rollback import Created
from bot.staff import post_log
from bot.storage import IntegrityError
from bot.storage.guilds import GuildConfig
from cogs.cohorts import logic, spaces
from cogs.cohorts.logic import CohortRuleError, CohortStatus, EnrollmentStatus
from cogs.cohorts.lookup import find_cohort
from cogs.cohorts.reach import require_reach
from cogs.cohorts.store import Cohort, CohortStore

# Logged as the cog's (the log texts and logger name are what tests and docs know).
log = logging.getLogger("cogs.cohorts.cog")


def need(guild: discord.Guild, *names: str) -> None:
    """Refuse early, with the permission's name, when Lantern lacks one of these."""
    lacking = [n for n in names if not getattr(guild.me.guild_permissions, n)]
    if lacking:
        raise UserError(
            "I need the "
            + ", ".join(f"**{permissions.label(n)}**" for n in lacking)
            + " permission for this. Run `/setup check` to see what to fix."
        )


class Lifecycle:
    def __init__(self, bot: LanternBot, store: CohortStore) -> None:
        self.bot = bot
        self.store = store

    async def create(
        self,
        interaction: discord.Interaction,
        name: str,
        start: str,
        end: str,
        capacity: int | None,
    ) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        try:
            clean = inputs.parsed("name", logic.clean_name, name)
            starts = inputs.parsed("start", lambda raw: logic.parse_day(raw, "start"), start)
            ends = inputs.parsed("end", lambda raw: logic.parse_day(raw, "end"), end)
            inputs.parsed("end", lambda _: logic.validate_dates(starts, ends), end)
            size = logic.validate_capacity(capacity)
        except CohortRuleError as exc:
            raise UserError(str(exc)) from None
        if await self.store.by_name(guild.id, clean):
            raise UserError(f"A cohort called **{clean}** already exists. Choose another name.")
        need(guild, "manage_roles", "manage_channels")
        full = spaces.room_problem(guild)
        if full is not None:
            raise UserError(full)
        await interaction.response.defer(ephemeral=True, thinking=True)
        facilitator = guild.get_role(config.facilitator_role_id or 0)
        created = Created()
        try:
            space, problems = await spaces.create_space(guild, clean, facilitator, created)
            async with self.bot.db.transaction() as tx:
                cohort_id = await self.store.create(
                    tx,
                    guild_id=guild.id,
                    name=clean,
                    starts_on=starts,
                    ends_on=ends,
                    capacity=size,
                    created_by=interaction.user.id,
                    now=self.bot.clock.now(),
                    channels={k: v for k, v in space.ids().items() if v is not None},
                )
        except discord.HTTPException as exc:
            await created.undo()
            log.warning(
                "cohort creation refused",
                extra={"guild_id": guild.id, "status": exc.status, "code": exc.code},
            )
            raise UserError(f"{spaces.refusal_text(exc)} Nothing of the cohort was kept.") from exc
        except IntegrityError:
            await created.undo()
            raise UserError(
                f"A cohort called **{clean}** was just created by someone else."
            ) from None
        except BaseException:
            await created.undo()
            raise
        log.info("cohort created", extra={"guild_id": guild.id, "cohort_id": cohort_id})
        self.bot.dispatch("cohort_spaces_changed", guild.id)
        await post_log(
            self.bot.outbox,
            guild,
            config,
            f"{interaction.user.mention} created cohort **{clean}** ({starts} to {ends}).",
        )
        channels = " ".join(
            c.mention for p, c in space.channels.items() if c is not None and p != "category"
        )
        message = (
            f"Created **{clean}** ({starts:%b %d, %Y} to {ends:%b %d, %Y}, up to {size} people): "
            f"{channels}. Only its members and facilitators can see it.\n"
            "Next: `/cohort enroll` each participant. They get the group agreement first, and "
            "see the channels once they agree."
        )
        if problems:
            message += (
                "\n\n**I couldn't verify everything:**\n"
                + "\n".join(f"• {p}" for p in problems)
                + "\nRun `/cohort repair` after fixing my permissions."
            )
        await send_private(interaction, message)

    async def extend(self, interaction: discord.Interaction, cohort: str, end: str) -> None:
        """A later end date (its team or program staff); session series that ran to the old
        end continue to the new one (sessions reacts to `cohort_extended`)."""
        config, reach = await require_reach(interaction)
        guild = guild_of(interaction)
        found = await find_cohort(self.store, guild, cohort, live=True)
        reach.require(found.id)
        zone = ZoneInfo(config.timezone or "UTC")
        today = self.bot.clock.now().astimezone(zone).date()
        old_end = found.ends_on
        try:
            new_end = inputs.parsed("end", lambda raw: logic.parse_day(raw, "end"), end)
            inputs.parsed(
                "end",
                lambda _: logic.validate_extension(found.starts_on, old_end, new_end, today),
                end,
            )
        except CohortRuleError as exc:
            raise UserError(str(exc)) from None
        if not await self.store.extend(found.id, old_end, new_end):
            raise UserError(f"**{found.name}** changed meanwhile. Please run the command again.")
        log.info("cohort extended", extra={"guild_id": guild.id, "cohort_id": found.id})
        self.bot.dispatch("cohort_extended", guild.id, found.id, old_end, new_end)
        await post_log(
            self.bot.outbox,
            guild,
            config,
            f"{interaction.user.mention} extended **{found.name}** to {new_end:%b %d, %Y} "
            f"(it was to end on {old_end:%b %d, %Y}).",
        )
        await send_private(
            interaction,
            f"**{found.name}** now ends on {new_end:%b %d, %Y} (was {old_end:%b %d, %Y}). "
            "Session series that ran to the old end date now run to the new one.",
        )

    async def archive(
        self, interaction: discord.Interaction, cohort: str, keep_access: bool
    ) -> None:
        """Ask first: archiving un-enrols whoever is still in the cohort."""
        config, reach = await require_reach(interaction)
        guild = guild_of(interaction)
        found = await find_cohort(self.store, guild, cohort, live=True)
        reach.require(found.id)
        enrolled = len(await self.store.members(found.id))
        question = f"Archive **{found.name}**? Its channels become read-only" + (
            "." if keep_access else " and hidden from members."
        )
        if enrolled:
            question += (
                f" The {enrolled} person(s) still enrolled will be un-enrolled, not graduated "
                "(`/cohort graduate all` first gives them the alumni role)."
            )
        await ask(
            interaction,
            question,
            Confirm(
                interaction.user.id,
                lambda click: self._archive(click, config, found, keep_access),
                confirm="Archive",
                working=f"Archiving **{found.name}**…",
            ),
        )

    async def _archive(
        self,
        interaction: discord.Interaction,
        config: GuildConfig,
        found: Cohort,
        keep_access: bool,
    ) -> None:
        guild = guild_of(interaction)
        current = await self.store.get(guild.id, found.id)
        if current is None or current.status != CohortStatus.ACTIVE:
            raise UserError(f"**{found.name}** was already archived or deleted.")
        space = spaces.locate(guild, found)
        roles = spaces.roles_for(guild, config, found)
        failed = await spaces.apply_permissions(
            guild, space, roles, reason="Lantern: cohort archived", archived=True, keep=keep_access
        )
        try:
            await spaces.rename_category(space, f"{found.name} (archived)", "Lantern: archived")
        except discord.HTTPException:
            failed.append("renaming the category")
        ended = 0
        for enrollment in await self.store.members(found.id):
            await self.store.end(
                enrollment.id,
                EnrollmentStatus.REMOVED,
                by=interaction.user.id,
                reason="cohort archived",
                now=self.bot.clock.now(),
            )
            self.bot.dispatch("cohort_member_left", guild, enrollment.user_id, found, "removed")
            ended += 1
        await self.store.archive(found.id, self.bot.clock.now())
        self.bot.dispatch("cohort_spaces_changed", guild.id)
        await post_log(
            self.bot.outbox, guild, config, f"{interaction.user.mention} archived **{found.name}**."
        )
        text = f"Archived **{found.name}**: its channels are read-only"
        text += " and members can still read them." if keep_access else " and hidden from members."
        if ended:
            text += (
                f"\n{ended} person(s) were still enrolled and have been un-enrolled "
                "(graduate people before archiving to give them the alumni role)."
            )
        if failed:
            text += "\nCouldn't update: " + "; ".join(failed)
        await send_private(interaction, text)

    async def delete(self, interaction: discord.Interaction, cohort: str) -> None:
        """Ask first: only an archived cohort, and its messages are gone for good."""
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await find_cohort(self.store, guild, cohort)
        if found.status == CohortStatus.ACTIVE:
            raise UserError(f"Archive **{found.name}** first (`/cohort archive`).")
        view = Confirm(
            interaction.user.id,
            lambda click: self._delete(click, found),
            confirm="Delete forever",
            working=f"Deleting **{found.name}**…",
            cancelled="Nothing was deleted.",
        )
        await ask(
            interaction,
            f"This deletes **{found.name}**'s channels, their messages and its roles for good. "
            "Enrolment and graduation records are kept. Are you sure?",
            view,
        )

    async def _delete(self, interaction: discord.Interaction, cohort: Cohort) -> None:
        guild = guild_of(interaction)
        config = await require_facilitator(interaction)
        current = await self.store.get(guild.id, cohort.id)
        if current is None or current.status != CohortStatus.ARCHIVED:
            raise UserError("That cohort was already deleted or changed.")
        failed = await spaces.delete_space(spaces.locate(guild, current), "Lantern: cohort deleted")
        await self.store.mark_deleted(cohort.id, self.bot.clock.now())
        self.bot.dispatch("cohort_spaces_changed", guild.id)
        await post_log(
            self.bot.outbox, guild, config, f"{interaction.user.mention} deleted **{cohort.name}**."
        )
        text = f"Deleted **{cohort.name}**."
        if failed:
            text += " Couldn't delete: " + ", ".join(failed)
        await interaction.edit_original_response(content=text)
