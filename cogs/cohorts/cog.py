"""`/cohort ...`: private cohort spaces, enrolment with consent, graduation, archive, repair."""

from __future__ import annotations

import io
import logging
import sqlite3
from datetime import date
from types import SimpleNamespace
from typing import cast

import discord
from discord import app_commands
from discord.ext import commands

from bot import inputs, lists, permissions
from bot.checks import guild_of, require_facilitator
from bot.client import LanternBot
from bot.confirm import Confirm, ask
from bot.errors import UserError
from bot.interactions import LanternModal, send_private
from bot.pages import send_pages, to_embeds
from bot.rollback import Created
from bot.staff import post_log
from bot.storage.guilds import GuildConfig
from cogs.alumni import api as alumni_api
from cogs.cohorts import agreement as agreements
from cogs.cohorts import logic, spaces
from cogs.cohorts.consent import (
    ConsentButton,
    agreement_embed,
    close_buttons,
    deliver,
    done_text,
)
from cogs.cohorts.logic import MAX_NAME, CohortRuleError, CohortStatus, EnrollmentStatus
from cogs.cohorts.lookup import cohort_choices, find_cohort
from cogs.cohorts.store import Cohort, CohortStore, Enrollment

log = logging.getLogger(__name__)


class Cohorts(commands.Cog):
    cohort = app_commands.Group(
        name="cohort", description="Cohorts: private group spaces (facilitators)", guild_only=True
    )
    graduate = app_commands.Group(
        name="graduate", description="Graduate people into alumni", parent=cohort
    )

    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        self.store = CohortStore(bot.db)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ConsentButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ConsentButton)

    # --- lookups ---------------------------------------------------------------------

    async def _cohort(self, guild: discord.Guild, name: str, *, live: bool = True) -> Cohort:
        return await find_cohort(self.store, guild, name, live=live)

    def _roles(self, guild: discord.Guild, config: GuildConfig, cohort: Cohort) -> spaces.Roles:
        space = spaces.locate(guild, cohort)
        return spaces.Roles(
            cohort=space.role,
            facilitator=guild.get_role(config.facilitator_role_id or 0),
            history=space.history_role,
        )

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
        _need(guild, "manage_roles", "manage_channels")
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
        except sqlite3.IntegrityError:
            await created.undo()
            raise UserError(
                f"A cohort called **{clean}** was just created by someone else."
            ) from None
        except BaseException:
            await created.undo()
            raise
        log.info("cohort created", extra={"guild_id": guild.id, "cohort_id": cohort_id})
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

    @cohort.command(name="list", description="All cohorts with their dates and enrolment")
    async def list_(self, interaction: discord.Interaction) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        cohorts = await self.store.list(guild.id)
        if not cohorts:
            await send_private(interaction, "No cohorts yet. Create one with `/cohort create`.")
            return
        groups = []
        for cohort in cohorts:
            people = await self.store.members(cohort.id)
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

    @cohort.command(name="info", description="Members, status, dates and consent of a cohort")
    @app_commands.describe(cohort="The cohort")
    async def info(self, interaction: discord.Interaction, cohort: str) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await self._cohort(guild, cohort, live=False)
        people = await self.store.history(found.id)
        lines = []
        for e in people:
            if e.status == EnrollmentStatus.ACTIVE and e.consented_at:
                state = f"agreed (v{e.agreement_version}) {e.consented_at:%b %d}"
            elif e.status == EnrollmentStatus.PENDING_CONSENT:
                state = "awaiting consent" + (" (private thread)" if e.consent_thread_id else "")
            else:
                state = str(e.status).replace("_", " ")
            lines.append(f"<@{e.user_id}>: {state}")
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
                lists.Group(
                    "Needs repair", [f"Missing: {', '.join(missing)}. Run `/cohort repair`."]
                )
            )
        pages = lists.paginate(facts, lines=lines or ["Nobody enrolled yet."], title=found.name)
        await send_pages(interaction, to_embeds(pages, colour=discord.Colour.blurple()))

    # --- enrolment -------------------------------------------------------------------

    @cohort.command(name="enroll", description="Enrol someone (they agree to the group first)")
    @app_commands.describe(member="Who to enrol", cohort="The cohort")
    async def enroll(
        self, interaction: discord.Interaction, member: discord.Member, cohort: str
    ) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await self._cohort(guild, cohort)
        if member.bot:
            raise UserError("Bots can't be enrolled in a cohort.")
        existing = await self.store.open_enrollment(guild.id, member.id)
        resend = False
        if existing is not None:
            if existing.cohort_id != found.id:
                other = await self.store.get(guild.id, existing.cohort_id)
                raise UserError(
                    f"{member.mention} is already in **{other.name if other else 'a cohort'}**. "
                    "Remove or graduate them there first."
                )
            if existing.status == EnrollmentStatus.ACTIVE:
                raise UserError(f"{member.mention} is already in **{found.name}**.")
            resend = True  # still pending: send the agreement again
        elif await self.store.count_open(found.id) >= found.capacity:
            raise UserError(
                f"**{found.name}** is full ({found.capacity} people). Raise its capacity or "
                "choose another cohort."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        if existing is not None:
            enrollment_id = existing.id
        else:
            try:
                async with self.bot.db.transaction() as tx:
                    enrollment_id = await self.store.enroll(
                        tx,
                        cohort=found,
                        user_id=member.id,
                        by=interaction.user.id,
                        now=self.bot.clock.now(),
                    )
            except sqlite3.IntegrityError:
                raise UserError(f"{member.mention} was just enrolled by someone else.") from None
        agreement = agreements.current(await self.store.agreement(guild.id))
        region = self.bot.resources.region(config.region)
        embed = agreement_embed(guild, found, agreement, agreement.render(region))
        try:
            delivery = await deliver(
                member,
                embed,
                enrollment_id,
                interaction.channel,
                self.store,  # type: ignore[arg-type]
            )
        except UserError:
            if existing is None:  # keep nothing half-done: the enrolment waits for a resend
                await self.store.end(
                    enrollment_id,
                    EnrollmentStatus.REMOVED,
                    by=interaction.user.id,
                    reason="agreement could not be delivered",
                    now=self.bot.clock.now(),
                )
            raise
        where = (
            "by DM"
            if delivery.where == "dm"
            else f"in a private thread ({delivery.thread.mention if delivery.thread else ''}) "
            "because their DMs are closed"
        )
        verb = "Sent the agreement again to" if resend else "Enrolled"
        log.info(
            "enrolled", extra={"guild_id": guild.id, "cohort_id": found.id, "user_id": member.id}
        )
        await send_private(
            interaction,
            f"{verb} {member.mention} in **{found.name}**. The group agreement was sent {where}; "
            "they'll see the cohort's channels once they agree.",
        )

    async def accept(self, interaction: discord.Interaction, enrollment: Enrollment) -> None:
        """'I agree': record consent, then open the channels (role)."""
        if (already := done_text(enrollment)) is not None:
            await close_buttons(interaction, already)
            return
        guild = self.bot.get_guild(enrollment.guild_id)
        cohort = await self.store.get(enrollment.guild_id, enrollment.cohort_id)
        if guild is None or cohort is None or cohort.status != CohortStatus.ACTIVE:
            raise UserError("This cohort is no longer running, so there's nothing to join.")
        member = guild.get_member(interaction.user.id)
        if member is None:
            raise UserError(f"You're no longer a member of **{guild.name}**.")
        role = guild.get_role(cohort.role_id or 0)
        if role is None:
            raise UserError(
                "Your cohort's space needs a repair before you can join. I've told the "
                "facilitators; please try again later."
            )
        agreement = agreements.current(await self.store.agreement(guild.id))
        if not await self.store.consent(enrollment.id, agreement.version, self.bot.clock.now()):
            await close_buttons(interaction, "You've already answered this.")
            return
        try:
            await member.add_roles(role, reason="Lantern: agreed to the group agreement")
        except discord.HTTPException:
            # Consent stands; access is what failed. Facilitators are told and can repair.
            config = await self.bot.guild_configs.get(guild.id)
            await post_log(
                self.bot.outbox,
                guild,
                config,
                f"{member.mention} agreed to join **{cohort.name}**, but I couldn't give them "
                "the cohort role. Run `/setup check`, then `/cohort repair`.",
            )
            raise UserError(
                "Thank you for agreeing. I couldn't open the channels for you just now; "
                "a facilitator has been told and will sort it out."
            ) from None
        config = await self.bot.guild_configs.get(guild.id)
        await post_log(
            self.bot.outbox, guild, config, f"{member.mention} agreed and joined **{cohort.name}**."
        )
        # Other features (check-in prompts, reminders) start for this person now.
        self.bot.dispatch("cohort_member_joined", member, cohort)
        group = spaces.locate(guild, cohort).channels.get("group")
        where = f" Say hello in {group.mention}." if group else ""
        await close_buttons(
            interaction,
            f"Thank you. You agreed to version {agreement.version} of the group agreement on "
            f"{self.bot.clock.now():%b %d, %Y}. Welcome to **{cohort.name}**!{where}",
        )

    async def has_questions(self, interaction: discord.Interaction, enrollment: Enrollment) -> None:
        if (already := done_text(enrollment)) is not None:
            await close_buttons(interaction, already)
            return
        guild = self.bot.get_guild(enrollment.guild_id)
        cohort = await self.store.get(enrollment.guild_id, enrollment.cohort_id)
        if guild is not None and cohort is not None:
            config = await self.bot.guild_configs.get(guild.id)
            await post_log(
                self.bot.outbox,
                guild,
                config,
                f"<@{interaction.user.id}> has questions about the group agreement before "
                f"joining **{cohort.name}**. Please reach out to them.",
            )
        await send_private(
            interaction,
            "Thanks for saying so. A facilitator will reach out to you. The buttons stay here "
            "for whenever you're ready.",
        )

    @cohort.command(name="remove", description="Take someone out of a cohort")
    @app_commands.describe(member="Who to remove", cohort="The cohort", reason="Kept in the log")
    async def remove(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        cohort: str,
        reason: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await self._cohort(guild, cohort, live=False)
        enrollment = await self.store.open_enrollment(guild.id, member.id)
        if enrollment is None or enrollment.cohort_id != found.id:
            raise UserError(f"{member.mention} isn't enrolled in **{found.name}**.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        role = guild.get_role(found.role_id or 0)
        if role is not None and role in member.roles:
            await member.remove_roles(role, reason=f"Lantern: removed from {found.name}")
        await self.store.end(
            enrollment.id,
            EnrollmentStatus.REMOVED,
            by=interaction.user.id,
            reason=reason,
            now=self.bot.clock.now(),
        )
        self.bot.dispatch("cohort_member_left", guild, member.id, found, "removed")
        await post_log(
            self.bot.outbox,
            guild,
            config,
            f"{interaction.user.mention} removed {member.mention} from **{found.name}**"
            + (f": {reason}" if reason else "."),
        )
        await send_private(interaction, f"Removed {member.mention} from **{found.name}**.")

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
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await self._cohort(guild, cohort, live=False)
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
        result = await self._graduate(
            guild, config, found, [(member, enrollment)], interaction.user.id, keep_history
        )
        await send_private(interaction, result)

    @graduate.command(name="all", description="Graduate everyone in a cohort into the alumni")
    @app_commands.describe(
        cohort="The cohort",
        keep_history="Let them keep reading the cohort's channels (default: yes)",
    )
    async def graduate_all(
        self, interaction: discord.Interaction, cohort: str, keep_history: bool = True
    ) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await self._cohort(guild, cohort, live=False)
        people = []
        pending = 0
        for enrollment in await self.store.members(found.id):
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
        if not people:
            raise UserError(f"Nobody in **{found.name}** is ready to graduate.")

        async def confirmed(click: discord.Interaction) -> None:
            result = await self._graduate(guild, config, found, people, click.user.id, keep_history)
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

    async def _graduate(
        self,
        guild: discord.Guild,
        config: GuildConfig,
        cohort: Cohort,
        people: list[tuple[discord.Member, Enrollment]],
        by: int,
        keep_history: bool,
    ) -> str:
        alumni = guild.get_role(config.alumni_role_id or 0)
        if alumni is None:
            raise UserError("The alumni role was deleted. Run `/setup server` to choose one.")
        cohort_role = guild.get_role(cohort.role_id or 0)
        history = await self._history_role(guild, config, cohort) if keep_history else None
        today = self.bot.clock.now().date()
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
            self.bot.dispatch("cohort_member_left", guild, member.id, cohort, "graduated")
            await self._congratulate(member, cohort)
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
        roles = self._roles(guild, config, cohort)
        roles.history = role
        await spaces.apply_permissions(
            guild,
            space,
            roles,
            reason="Lantern: graduates keep read access",
            archived=cohort.status != CohortStatus.ACTIVE,
        )
        return role

    async def _congratulate(self, member: discord.Member, cohort: Cohort) -> None:
        await alumni_api.offer_congratulation(self.bot, member, cohort)

    # --- archive / delete / repair ---------------------------------------------------

    @cohort.command(name="archive", description="Make a cohort read-only when it ends")
    @app_commands.describe(
        cohort="The cohort", keep_access="Members can still read it (default: yes)"
    )
    async def archive(
        self, interaction: discord.Interaction, cohort: str, keep_access: bool = True
    ) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await self._cohort(guild, cohort)
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
        roles = self._roles(guild, config, found)
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

    @cohort.command(name="delete", description="Delete an archived cohort's channels and roles")
    @app_commands.describe(cohort="An archived cohort")
    async def delete(self, interaction: discord.Interaction, cohort: str) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await self._cohort(guild, cohort, live=False)
        if found.status == CohortStatus.ACTIVE:
            raise UserError(f"Archive **{found.name}** first (`/cohort archive`).")
        view = Confirm(
            interaction.user.id,
            lambda click: self.delete_confirmed(click, found),
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

    async def delete_confirmed(self, interaction: discord.Interaction, cohort: Cohort) -> None:
        guild = guild_of(interaction)
        config = await require_facilitator(interaction)
        current = await self.store.get(guild.id, cohort.id)
        if current is None or current.status != CohortStatus.ARCHIVED:
            raise UserError("That cohort was already deleted or changed.")
        failed = await spaces.delete_space(spaces.locate(guild, current), "Lantern: cohort deleted")
        await self.store.mark_deleted(cohort.id, self.bot.clock.now())
        await post_log(
            self.bot.outbox, guild, config, f"{interaction.user.mention} deleted **{cohort.name}**."
        )
        text = f"Deleted **{cohort.name}**."
        if failed:
            text += " Couldn't delete: " + ", ".join(failed)
        await interaction.edit_original_response(content=text)

    @cohort.command(name="repair", description="Recreate or re-apply what Lantern manages")
    @app_commands.describe(cohort="The cohort")
    async def repair(self, interaction: discord.Interaction, cohort: str) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await self._cohort(guild, cohort)
        _need(guild, "manage_roles", "manage_channels")
        await interaction.response.defer(ephemeral=True, thinking=True)
        space = spaces.locate(guild, found)
        made: list[str] = []
        created = Created()
        try:
            if space.role is None:
                space.role = await guild.create_role(
                    name=spaces.role_name(found.name), reason="Lantern: cohort repair"
                )
                made.append("role")
            roles = self._roles(guild, config, found)
            roles.cohort = space.role
            made += await spaces.build_missing(guild, found.name, space, roles, created)
        except discord.HTTPException as exc:
            raise UserError(f"Part of the repair failed. {spaces.refusal_text(exc)}") from exc
        await self.store.update_ids(found.id, space.ids())
        failed = await spaces.apply_permissions(guild, space, roles, reason="Lantern: repair")
        regranted = 0
        if "role" in made and space.role is not None:
            for enrollment in await self.store.members(found.id):
                member = guild.get_member(enrollment.user_id)
                if member and enrollment.status == EnrollmentStatus.ACTIVE:
                    await member.add_roles(space.role, reason="Lantern: cohort repair")
                    regranted += 1
        problems = spaces.verify(guild, space, roles)
        text = f"Repaired **{found.name}**. "
        text += f"Recreated: {', '.join(made)}. " if made else "Nothing was missing. "
        if regranted:
            text += f"Gave the new role back to {regranted} member(s). "
        if failed or problems:
            text += "\nStill wrong: " + "; ".join(failed + problems)
        else:
            text += "Permissions verified."
        await post_log(
            self.bot.outbox, guild, config, f"{interaction.user.mention} repaired **{found.name}**."
        )
        await send_private(interaction, text)

    # --- report ----------------------------------------------------------------------

    @cohort.command(name="report", description="The cohort's check-ins and assessments as CSV")
    @app_commands.describe(cohort="The cohort")
    async def report(self, interaction: discord.Interaction, cohort: str) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await self._cohort(guild, cohort, live=False)
        from cogs.checkins.report import cohort_report_csv

        await interaction.response.defer(ephemeral=True, thinking=True)
        body = await cohort_report_csv(self.bot, guild.id, found.id)
        log.info("cohort report exported", extra={"guild_id": guild.id, "cohort_id": found.id})
        await interaction.followup.send(
            f"**{found.name}**: check-ins and assessments. The file holds health data: keep "
            "it private and delete it when you're done.",
            file=discord.File(io.BytesIO(body), filename=f"{logic.slug(found.name)}-report.csv"),
            ephemeral=True,
        )

    # --- agreement -------------------------------------------------------------------

    @cohort.command(name="agreement", description="Edit the group agreement people accept")
    async def agreement(self, interaction: discord.Interaction) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        current = agreements.current(await self.store.agreement(guild.id))
        await interaction.response.send_modal(
            AgreementModal(self, current, await self._agreement_room(guild))
        )

    async def _agreement_room(self, guild: discord.Guild) -> int:
        """How long the agreement may be: the welcome embed's intro (at its longest) and the
        region's crisis lines must fit with it in one embed description."""
        config = await self.bot.guild_configs.get(guild.id)
        region = self.bot.resources.region(config.region if config else None)
        longest = SimpleNamespace(
            name="W" * MAX_NAME, starts_on=date(2000, 1, 1), ends_on=date(2000, 1, 1)
        )
        intro = agreement_embed(
            cast(discord.Guild, SimpleNamespace(name="W" * 100)),  # Discord's longest name
            cast(Cohort, longest),
            agreements.Agreement(0, ""),
            "",
        ).description
        return agreements.max_length(region, len(intro or ""))

    # --- noticing hand-made changes --------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        await self._managed_piece_gone(channel.guild, channel.id, f"#{channel.name}")

    @commands.Cog.listener()
    async def on_guild_role_delete(self, role: discord.Role) -> None:
        await self._managed_piece_gone(role.guild, role.id, f"@{role.name}")

    async def _managed_piece_gone(self, guild: discord.Guild, object_id: int, label: str) -> None:
        owner = await self.store.owning(guild.id, object_id)
        if owner is None:
            return
        cohort, piece = owner
        if cohort.status != CohortStatus.ACTIVE:
            return
        log.warning("cohort piece deleted by hand", extra={"cohort_id": cohort.id, "piece": piece})
        config = await self.bot.guild_configs.get(guild.id)
        await post_log(
            self.bot.outbox,
            guild,
            config,
            f"⚠️ The {piece} **{label}** of cohort **{cohort.name}** was deleted outside "
            f"Lantern. Run `/cohort repair cohort:{cohort.name}` to recreate it.",
        )

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


class AgreementModal(LanternModal, title="Group agreement"):
    def __init__(self, cog: Cohorts, current: agreements.Agreement, room: int) -> None:
        super().__init__()
        self.cog, self.room = cog, room
        self.text: discord.ui.TextInput[AgreementModal] = discord.ui.TextInput(
            label=f"Agreement (now version {current.version})",
            style=discord.TextStyle.paragraph,
            default=current.text[:room],
            max_length=room,
            custom_id="agreement",
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        # Checked again: the region (so the crisis lines) may have changed since it opened.
        room = min(self.room, await self.cog._agreement_room(guild))
        text = inputs.text(self.text.value, "agreement", max_length=room, single_line=False) or ""
        version = await self.cog.store.save_agreement(
            guild.id, text, interaction.user.id, self.cog.bot.clock.now()
        )
        config = await self.cog.bot.guild_configs.get(guild.id)
        await post_log(
            self.cog.bot.outbox,
            guild,
            config,
            f"{interaction.user.mention} saved version {version} of the group agreement.",
        )
        await send_private(
            interaction,
            f"Saved as version {version}. Everyone enrolled from now on is asked to agree to it "
            "(the safety note with crisis lines is always added below it).",
        )


def _need(guild: discord.Guild, *names: str) -> None:
    lacking = [n for n in names if not getattr(guild.me.guild_permissions, n)]
    if lacking:
        raise UserError(
            "I need the "
            + ", ".join(f"**{permissions.label(n)}**" for n in lacking)
            + " permission for this. Run `/setup check` to see what to fix."
        )
