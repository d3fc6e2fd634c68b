"""The consent gate: the group agreement is sent on enrolment, and channel access follows
"I agree". Buttons are dynamic items keyed by the enrolment id, so they keep working
after a restart and for months in someone's DMs."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from re import Match
from typing import TYPE_CHECKING, Any

import discord

from bot.cogs import required_cog
from bot.errors import UserError
from bot.interactions import reports_errors, send_private
from cogs.cohorts.agreement import Agreement
from cogs.cohorts.logic import EnrollmentStatus
from cogs.cohorts.store import Cohort, CohortStore, Enrollment

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


def agreement_embed(
    guild: discord.Guild, cohort: Cohort, agreement: Agreement, text: str
) -> discord.Embed:
    embed = discord.Embed(
        title=f"Welcome to {cohort.name}",
        description=(
            f"You've been enrolled in **{cohort.name}** at **{guild.name}** "
            f"({cohort.starts_on:%b %d} to {cohort.ends_on:%b %d}). Before you can see the "
            "group's channels, please read the group agreement.\n\n" + text
        )[:4096],
        colour=discord.Colour.blurple(),
    )
    embed.set_footer(text=f"Group agreement, version {agreement.version}")
    return embed


def consent_view(enrollment_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ConsentButton("agree", enrollment_id))
    view.add_item(ConsentButton("questions", enrollment_id))
    return view


@dataclass
class Delivery:
    where: str  # "dm" or "thread"
    thread: discord.Thread | None = None


async def deliver(
    member: discord.Member,
    embed: discord.Embed,
    enrollment_id: int,
    fallback: discord.abc.GuildChannel | None,
    store: CohortStore,
) -> Delivery:
    """DM the agreement; if DMs are closed, a private thread with the person instead."""
    try:
        await member.send(embed=embed, view=consent_view(enrollment_id))
        return Delivery("dm")
    except discord.Forbidden:
        pass
    if not isinstance(fallback, discord.TextChannel):
        raise UserError(
            f"{member.mention}'s DMs are closed and I can't open a private thread here. "
            "Run `/cohort enroll` again from a text channel they can see."
        )
    try:
        thread = await fallback.create_thread(
            name=f"Group agreement for {member.display_name}"[:100],
            type=discord.ChannelType.private_thread,
            invitable=False,
            reason="Lantern: group agreement (the person's DMs are closed)",
        )
        await thread.add_user(member)
        await thread.send(
            content=f"{member.mention}, this is private between you, me and facilitators.",
            embed=embed,
            view=consent_view(enrollment_id),
            allowed_mentions=discord.AllowedMentions(users=[member]),
        )
    except discord.HTTPException as exc:
        raise UserError(
            f"{member.mention}'s DMs are closed and I couldn't open a private thread in "
            f"{fallback.mention} ({exc.status}). Ask them to allow DMs from server members, "
            "then run `/cohort enroll` again."
        ) from exc
    await store.set_consent_thread(enrollment_id, thread.id)
    return Delivery("thread", thread)


class ConsentButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"lantern:consent:(?P<action>agree|questions):(?P<enrollment>[0-9]+)",
):
    def __init__(self, action: str, enrollment_id: int) -> None:
        agree = action == "agree"
        super().__init__(
            discord.ui.Button(
                label="I agree" if agree else "I have questions",
                style=discord.ButtonStyle.success if agree else discord.ButtonStyle.secondary,
                custom_id=f"lantern:consent:{action}:{enrollment_id}",
            )
        )
        self.action = action
        self.enrollment_id = enrollment_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str]
    ) -> ConsentButton:
        return cls(match["action"], int(match["enrollment"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        from cogs.cohorts.cog import Cohorts

        cog = required_cog(
            interaction.client,
            Cohorts,
            "Cohorts are unavailable right now. Please try again in a minute.",
        )
        enrollment = await cog.store.enrollment(self.enrollment_id)
        if enrollment is None or enrollment.user_id != interaction.user.id:
            raise UserError("This agreement was sent to someone else.")
        # Role changes and staff posts can wait on Discord's rate limits: answer first.
        await interaction.response.defer()
        if self.action == "agree":
            await cog.accept(interaction, enrollment)
        else:
            await cog.has_questions(interaction, enrollment)


def done_text(enrollment: Enrollment) -> str | None:
    """What to say when the enrolment is no longer waiting for consent."""
    if enrollment.status == EnrollmentStatus.ACTIVE:
        return "You've already agreed. Your cohort's channels are open to you."
    if enrollment.status != EnrollmentStatus.PENDING_CONSENT:
        return "This enrolment has ended, so there's nothing to agree to anymore."
    return None


async def close_buttons(interaction: discord.Interaction, content: str) -> None:
    """Replace the buttons on the agreement message with what happened."""
    try:
        if interaction.response.is_done():  # deferred while Discord calls were made
            await interaction.edit_original_response(content=content, view=None)
        else:
            await interaction.response.edit_message(content=content, view=None)
    except discord.HTTPException:
        await send_private(interaction, content)
