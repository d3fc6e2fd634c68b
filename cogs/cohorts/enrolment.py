"""Enrolment: `/cohort enroll` sends the group agreement, "I agree" opens the channels,
`/cohort remove` takes someone out again."""

from __future__ import annotations

import logging

import discord

from bot.checks import guild_of, require_facilitator
from bot.client import LanternBot
from bot.errors import UserError
from bot.interactions import send_private
from bot.staff import post_log
from bot.storage import IntegrityError
from cogs.cohorts import agreement as agreements
from cogs.cohorts import spaces
from cogs.cohorts.consent import agreement_embed, close_buttons, done_text
from cogs.cohorts.delivery import deliver
from cogs.cohorts.logic import CohortStatus, EnrollmentStatus
from cogs.cohorts.lookup import find_cohort
from cogs.cohorts.store import CohortStore, Enrollment

# Logged as the cog's (the log texts and logger name are what tests and docs know).
log = logging.getLogger("cogs.cohorts.cog")


class Enrolment:
    """Who is in a cohort: enrolling with consent, and removing."""

    def __init__(self, bot: LanternBot, store: CohortStore) -> None:
        self.bot = bot
        self.store = store

    async def enroll(
        self, interaction: discord.Interaction, member: discord.Member, cohort: str
    ) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await find_cohort(self.store, guild, cohort, live=True)
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
            except IntegrityError:
                raise UserError(f"{member.mention} was just enrolled by someone else.") from None
        agreement = agreements.current(await self.store.agreement(guild.id))
        region = self.bot.resources.region(config.region)
        embed = agreement_embed(guild, found, agreement, agreement.render(region))
        try:
            delivery = await deliver(member, embed, enrollment_id, interaction.channel, self.store)
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

    async def remove(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        cohort: str,
        reason: str | None,
    ) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await find_cohort(self.store, guild, cohort)
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
