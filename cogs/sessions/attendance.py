"""`/attendance`: marking who came (three selects over a page of members, persistent so an
old attendance message still works), and the kind DM to whoever missed a session."""

from __future__ import annotations

import logging
from datetime import timedelta
from re import Match
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import lists
from bot.buttons import PersistentButton, PersistentSelect
from bot.checks import guild_of
from bot.errors import UserError
from bot.interactions import NO_PINGS, send_private
from bot.pages import to_embed
from cogs.cohorts.api import require_reach
from cogs.sessions import choices, texts
from cogs.sessions.context import SessionsContext
from cogs.sessions.loaded import context_of
from cogs.sessions.records import Session, session_name
from cogs.sessions.recurrence import format_when

# The logger keeps the name it had before cog.py was split.
log = logging.getLogger("cogs.sessions.cog")

ATTENDANCE_STATUSES = ("present", "absent", "excused")


class AttendanceCommand(commands.Cog):
    def __init__(self, ctx: SessionsContext) -> None:
        self.ctx = ctx

    @app_commands.command(name="attendance", description="Mark who came to a session")
    @app_commands.guild_only()
    @app_commands.describe(cohort="The cohort", session="Which session (default: the latest)")
    async def attendance(
        self, interaction: discord.Interaction, cohort: str, session: str | None = None
    ) -> None:
        ctx = self.ctx
        _, reach = await require_reach(interaction)
        guild = guild_of(interaction)
        found = await ctx.cohort(guild, cohort)
        reach.require(found.id)
        now = ctx.now()
        if session:
            target = await ctx.session(guild, session)
            if target.cohort_id != found.id:
                raise UserError(f"That session isn't one of **{found.name}**'s.")
        else:
            past = await ctx.store.sessions_of_cohort(
                found.id, now - timedelta(days=30), now, include_cancelled=False
            )
            if not past:
                raise UserError(f"**{found.name}** has no session in the last 30 days to mark.")
            target = past[-1]
        if target.starts_at > now:
            raise UserError("That session hasn't started yet; mark attendance once it has.")
        embed, view = await attendance_message(ctx, guild, target)
        await send_private(interaction, embed=embed, view=view)

    @attendance.autocomplete("cohort")
    async def _cohort_names(
        self, interaction: discord.Interaction, current: str
    ) -> choices.Choices:
        return await choices.cohort_names(self.ctx, interaction, current)

    @attendance.autocomplete("session")
    async def _past(self, interaction: discord.Interaction, current: str) -> choices.Choices:
        return await choices.past(self.ctx, interaction, current)


# --- the attendance message ------------------------------------------------------------------


async def attendance_message(
    ctx: SessionsContext, guild: discord.Guild, target: Session, page: int = 0
) -> tuple[discord.Embed, discord.ui.View]:
    members = await ctx.cohorts.active_members(target.cohort_id)
    marks = await ctx.attendance.marks(target.id)
    answers = await ctx.attendance.rsvps(target.id)
    names = []
    for uid in members:
        member = guild.get_member(uid)
        names.append((uid, member.display_name if member else str(uid)))
    lines = []
    for uid, _name in names:
        rsvp = {"yes": " (said yes)", "no": " (said no)"}.get(answers.get(uid, ("", None))[0], "")
        lines.append(f"<@{uid}>: **{marks.get(uid, 'not marked')}**{rsvp}")
    when = format_when(target.starts_at, target.timezone)
    title = f"Attendance: {session_name(target)}"
    pages = lists.paginate(lines=[when, "", *(lines or ["Nobody is enrolled."])], title=title)
    if len(pages) > 1:  # too many to show at once: the people the selects list now
        spans = lists.windows(len(lines))
        shown = spans[max(0, min(page, len(spans) - 1))]
        pages = lists.paginate(lines=[when, "", *(lines[i] for i in shown)], title=title)
    embed = to_embed(pages[0], colour=discord.Colour.blurple())
    return embed, attendance_view(target.id, names, page)


def attendance_view(
    occurrence_id: int, people: list[tuple[int, str]], page: int = 0
) -> discord.ui.View:
    """Three selects (present / absent / excused) over one page of 25 members, and
    Previous / Next when the cohort has more; marks are saved as they are made, so moving
    between pages keeps them."""
    view = discord.ui.View(timeout=None)
    pages = lists.windows(len(people))
    page = max(0, min(page, len(pages) - 1))
    shown = [people[i] for i in pages[page]]
    options = [discord.SelectOption(label=name[:100], value=str(uid)) for uid, name in shown]
    if not options:
        return view
    span = f" ({pages[page].start + 1}–{pages[page].stop} of {len(people)})"
    for status in ATTENDANCE_STATUSES:
        placeholder = f"Mark {status}…" + (span if len(pages) > 1 else "")
        view.add_item(AttendanceSelect(status, occurrence_id, list(options), page, placeholder))
    if len(pages) > 1:
        # Distinct custom ids: at either end the disabled button points at the page itself.
        view.add_item(
            AttendancePageButton(occurrence_id, max(page - 1, 0), "◀ Previous", page == 0)
        )
        view.add_item(
            AttendancePageButton(
                occurrence_id, min(page + 1, len(pages) - 1), "Next ▶", page == len(pages) - 1
            )
        )
    return view


class AttendanceSelect(
    PersistentSelect,
    template=r"lantern:attend:(?P<status>present|absent|excused):(?P<occurrence>[0-9]+)"
    r"(?::(?P<page>[0-9]+))?",
):
    def __init__(
        self,
        status: str,
        occurrence_id: int,
        options: list[discord.SelectOption],
        page: int = 0,
        placeholder: str | None = None,
    ) -> None:
        # The first page keeps the custom id attendance messages have always had.
        suffix = f":{page}" if page else ""
        super().__init__(
            discord.ui.Select(
                placeholder=placeholder or f"Mark {status}…",
                min_values=1,
                max_values=max(1, len(options)),
                options=options,
                custom_id=f"lantern:attend:{status}:{occurrence_id}{suffix}",
            )
        )
        self.status = status
        self.occurrence_id = occurrence_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str], /
    ) -> AttendanceSelect:
        # The options come from the message (the custom id only says whose session and page).
        options = list(getattr(item, "options", []))
        return cls(match["status"], int(match["occurrence"]), options, int(match["page"] or 0))

    async def run(self, interaction: discord.Interaction) -> None:
        user_ids = [int(v) for v in self.item.values]
        await mark(
            context_of(interaction),
            interaction,
            self.occurrence_id,
            self.status,
            user_ids,
            self.page,
        )


class AttendancePageButton(
    PersistentButton,
    template=r"lantern:attend:page:(?P<occurrence_id>[0-9]+):(?P<page>[0-9]+)",
):
    """Previous / Next over the members when a cohort has more than a select holds (25)."""

    def __init__(
        self, occurrence_id: int, page: int, label: str = "", disabled: bool = False
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                disabled=disabled,
                custom_id=f"lantern:attend:page:{occurrence_id}:{page}",
            )
        )
        self.occurrence_id = occurrence_id
        self.page = page

    async def run(self, interaction: discord.Interaction) -> None:
        await turn_page(context_of(interaction), interaction, self.occurrence_id, self.page)


# --- marking ---------------------------------------------------------------------------------


async def _marked_session(
    ctx: SessionsContext, interaction: discord.Interaction, occurrence_id: int
) -> tuple[discord.Guild, Session]:
    _, reach = await require_reach(interaction)
    guild = guild_of(interaction)
    target = await ctx.store.session(occurrence_id)
    if target is None or target.guild_id != guild.id:
        raise UserError("That session no longer exists.")
    reach.require(target.cohort_id)
    return guild, target


async def turn_page(
    ctx: SessionsContext, interaction: discord.Interaction, occurrence_id: int, page: int
) -> None:
    guild, target = await _marked_session(ctx, interaction, occurrence_id)
    embed, view = await attendance_message(ctx, guild, target, page)
    await interaction.response.edit_message(embed=embed, view=view)


async def mark(
    ctx: SessionsContext,
    interaction: discord.Interaction,
    occurrence_id: int,
    status: str,
    user_ids: list[int],
    page: int = 0,
) -> None:
    guild, target = await _marked_session(ctx, interaction, occurrence_id)
    members = set(await ctx.cohorts.active_members(target.cohort_id))
    chosen = [u for u in user_ids if u in members]
    await interaction.response.defer()
    now = ctx.now()
    await ctx.attendance.mark(target, chosen, status, interaction.user.id, now)
    if status == "absent":
        for uid in chosen:
            if await ctx.attendance.claim_missed_dm(target.id, uid, now):
                await _missed_you(ctx, guild, target, uid)
    embed, view = await attendance_message(ctx, guild, target, page)
    await interaction.edit_original_response(embed=embed, view=view)


async def _missed_you(
    ctx: SessionsContext, guild: discord.Guild, target: Session, user_id: int
) -> None:
    member = guild.get_member(user_id)
    if member is None:
        return
    prefs = await ctx.reminders.prefs(guild.id, user_id)
    text = texts.MISSED_YOU.format(
        name=member.display_name,
        title=session_name(target),
        when=format_when(target.starts_at, prefs.timezone or target.timezone),
    )
    try:
        await member.send(text, allowed_mentions=NO_PINGS)
    except discord.HTTPException as exc:
        log.info("could not send a missed-session DM", extra={"status": exc.status})
