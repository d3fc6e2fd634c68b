"""RSVPs: the "I'll be there" / "I can't make it" buttons on reminders (persistent: they
keep working after a restart), the optional-reason modal, and `/session rsvps`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot import lists
from bot.buttons import PersistentButton
from bot.checks import guild_of
from bot.errors import UserError
from bot.interactions import LanternModal, send_private
from bot.pages import send_pages, to_embeds
from cogs.cohorts.api import require_reach
from cogs.sessions import texts
from cogs.sessions.loaded import context_of
from cogs.sessions.records import Session, session_name
from cogs.sessions.recurrence import format_when

if TYPE_CHECKING:
    from cogs.sessions.context import SessionsContext

# The logger keeps the name it had before cog.py was split.
log = logging.getLogger("cogs.sessions.cog")


class RsvpButton(
    PersistentButton,
    template=r"lantern:rsvp:(?P<answer>yes|no):(?P<occurrence_id>[0-9]+)",
):
    def __init__(self, answer: str, occurrence_id: int) -> None:
        yes = answer == "yes"
        super().__init__(
            discord.ui.Button(
                label="I'll be there" if yes else "I can't make it",
                style=discord.ButtonStyle.success if yes else discord.ButtonStyle.secondary,
                custom_id=f"lantern:rsvp:{answer}:{occurrence_id}",
            )
        )
        self.answer = answer
        self.occurrence_id = occurrence_id

    async def run(self, interaction: discord.Interaction) -> None:
        await respond(context_of(interaction), interaction, self.occurrence_id, self.answer)


def rsvp_view(occurrence_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(RsvpButton("yes", occurrence_id))
    view.add_item(RsvpButton("no", occurrence_id))
    return view


class ReasonModal(LanternModal, title="Can't make it"):
    def __init__(self, occurrence_id: int) -> None:
        super().__init__(custom_id=f"lantern:rsvp:reason:{occurrence_id}")
        self.occurrence_id = occurrence_id
        self.reason: discord.ui.TextInput[ReasonModal] = discord.ui.TextInput(
            label="Reason (optional, only facilitators see it)",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=300,
            custom_id="reason",
        )
        self.add_item(self.reason)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await give_reason(
            context_of(interaction), interaction, self.occurrence_id, self.reason.value
        )


# --- answering -----------------------------------------------------------------------------


async def _target(
    ctx: SessionsContext, interaction: discord.Interaction, occurrence_id: int
) -> Session:
    target = await ctx.store.session(occurrence_id)
    if target is None or target.cancelled:
        raise UserError("This session was cancelled, so there's nothing to answer.")
    if target.starts_at <= ctx.now():
        raise UserError("This session has already started.")
    cohort_id = await ctx.cohorts.active_cohort_of(target.guild_id, interaction.user.id)
    if cohort_id != target.cohort_id:
        raise UserError("Only members of this session's cohort can answer.")
    return target


async def respond(
    ctx: SessionsContext, interaction: discord.Interaction, occurrence_id: int, answer: str
) -> None:
    target = await _target(ctx, interaction, occurrence_id)
    await ctx.attendance.rsvp(target.id, interaction.user.id, answer, None, ctx.now())
    log.debug("rsvp", extra={"occurrence_id": target.id, "answer": answer})
    if answer == "yes":
        await send_private(interaction, texts.RSVP_YES)
    else:
        await interaction.response.send_modal(ReasonModal(target.id))


async def give_reason(
    ctx: SessionsContext, interaction: discord.Interaction, occurrence_id: int, reason: str
) -> None:
    target = await _target(ctx, interaction, occurrence_id)
    cleaned = " ".join(reason.split())[:300] or None
    await ctx.attendance.rsvp(target.id, interaction.user.id, "no", cleaned, ctx.now())
    await send_private(interaction, texts.RSVP_REASON_SAVED if cleaned else texts.RSVP_NO)


# --- /session rsvps --------------------------------------------------------------------------


async def show(ctx: SessionsContext, interaction: discord.Interaction, session: str) -> None:
    _, reach = await require_reach(interaction)
    guild = guild_of(interaction)
    target = await ctx.session(guild, session)
    reach.require(target.cohort_id)
    answers = await ctx.attendance.rsvps(target.id)
    members = await ctx.cohorts.active_members(target.cohort_id)
    yes = [f"<@{u}>" for u, (a, _) in answers.items() if a == "yes"]
    no = [f"<@{u}>" + (f": {r}" if r else "") for u, (a, r) in answers.items() if a == "no"]
    silent = [f"<@{u}>" for u in members if u not in answers]
    pages = lists.paginate(
        [
            lists.Group("I'll be there", yes),
            lists.Group("Can't make it", no),
            lists.Group("No answer yet", silent),
        ],
        lines=[f"Expected: **{len(yes)}** of {len(members)}"],
        title=f"{session_name(target)}, {format_when(target.starts_at, target.timezone)}",
    )
    await send_pages(interaction, to_embeds(pages, colour=discord.Colour.blurple()))
