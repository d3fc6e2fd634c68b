"""`/attendance`: marking who came, and the kind DM to whoever missed a session."""

from __future__ import annotations

import logging
from datetime import timedelta

import discord
from discord import app_commands

from bot import lists
from bot.checks import guild_of, require_facilitator
from bot.errors import UserError
from bot.interactions import NO_PINGS, send_private
from bot.pages import to_embed
from cogs.sessions import texts
from cogs.sessions.lookups import SessionLookups
from cogs.sessions.recurrence import format_when
from cogs.sessions.reminders import session_name
from cogs.sessions.store import Session
from cogs.sessions.views import attendance_view

# The logger keeps the name it had before cog.py was split.
log = logging.getLogger("cogs.sessions.cog")


class Attendance(SessionLookups):
    """The attendance command, its selects and the missed-you DM."""

    # --- /attendance -----------------------------------------------------------------------

    @app_commands.command(name="attendance", description="Mark who came to a session")
    @app_commands.guild_only()
    @app_commands.describe(cohort="The cohort", session="Which session (default: the latest)")
    async def attendance(
        self, interaction: discord.Interaction, cohort: str, session: str | None = None
    ) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await self._cohort(guild, cohort)
        now = self.bot.clock.now()
        if session:
            target = await self._session(guild, session)
            if target.cohort_id != found.id:
                raise UserError(f"That session isn't one of **{found.name}**'s.")
        else:
            past = await self.store.sessions_of_cohort(
                found.id, now - timedelta(days=30), now, include_cancelled=False
            )
            if not past:
                raise UserError(f"**{found.name}** has no session in the last 30 days to mark.")
            target = past[-1]
        if target.starts_at > now:
            raise UserError("That session hasn't started yet; mark attendance once it has.")
        embed, view = await self._attendance_message(guild, target)
        await send_private(interaction, embed=embed, view=view)

    async def _attendance_message(
        self, guild: discord.Guild, target: Session, page: int = 0
    ) -> tuple[discord.Embed, discord.ui.View]:
        members = await self.store.active_members(target.cohort_id)
        marks = await self.store.attendance(target.id)
        answers = await self.store.rsvps(target.id)
        names = []
        for uid in members:
            member = guild.get_member(uid)
            names.append((uid, member.display_name if member else str(uid)))
        lines = []
        for uid, _name in names:
            rsvp = {"yes": " (said yes)", "no": " (said no)"}.get(
                answers.get(uid, ("", None))[0], ""
            )
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

    async def turn_attendance_page(
        self, interaction: discord.Interaction, occurrence_id: int, page: int
    ) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        target = await self.store.session(occurrence_id)
        if target is None or target.guild_id != guild.id:
            raise UserError("That session no longer exists.")
        embed, view = await self._attendance_message(guild, target, page)
        await interaction.response.edit_message(embed=embed, view=view)

    async def mark_attendance(
        self,
        interaction: discord.Interaction,
        occurrence_id: int,
        status: str,
        user_ids: list[int],
        page: int = 0,
    ) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        target = await self.store.session(occurrence_id)
        if target is None or target.guild_id != guild.id:
            raise UserError("That session no longer exists.")
        members = set(await self.store.active_members(target.cohort_id))
        chosen = [u for u in user_ids if u in members]
        await interaction.response.defer()
        now = self.bot.clock.now()
        await self.store.mark(target, chosen, status, interaction.user.id, now)
        if status == "absent":
            for uid in chosen:
                if await self.store.claim_missed_dm(target.id, uid, now):
                    await self._missed_you(guild, target, uid)
        embed, view = await self._attendance_message(guild, target, page)
        await interaction.edit_original_response(embed=embed, view=view)

    async def _missed_you(self, guild: discord.Guild, target: Session, user_id: int) -> None:
        member = guild.get_member(user_id)
        if member is None:
            return
        prefs = await self.store.prefs(guild.id, user_id)
        text = texts.MISSED_YOU.format(
            name=member.display_name,
            title=session_name(target),
            when=format_when(target.starts_at, prefs.timezone or target.timezone),
        )
        try:
            await member.send(text, allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            log.info("could not send a missed-session DM", extra={"status": exc.status})

    # autocompletes
    attendance.autocomplete("cohort")(SessionLookups._cohort_names)
    attendance.autocomplete("session")(SessionLookups._past_choices)
