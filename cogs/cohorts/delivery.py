"""Sending the group agreement on enrolment: by DM, or in a private thread when the person's
DMs are closed. Its buttons are persistent, keyed by the enrolment id, so they keep working
after a restart and for months in someone's DMs."""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.errors import UserError
from cogs.cohorts.store import CohortStore
from cogs.cohorts.views import ConsentButton


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
    fallback: object,
    store: CohortStore,
) -> Delivery:
    """DM the agreement; if DMs are closed, a private thread with the person instead, in
    `fallback` (the channel the command was used in) when it is a text channel."""
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
