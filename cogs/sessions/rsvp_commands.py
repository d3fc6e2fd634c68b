"""`/session reminders`, `/session rsvps` and the RSVP buttons of reminders."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot import lists
from bot.checks import guild_of, require_facilitator
from bot.confirm import Confirm
from bot.errors import UserError
from bot.inputs import OFF_WORDS, about, problem
from bot.interactions import send_private
from bot.pages import send_pages, to_embeds
from bot.staff import post_log
from cogs.cohorts.api import Cohort
from cogs.sessions import planning, texts
from cogs.sessions.lookups import SessionLookups, session_group
from cogs.sessions.recurrence import format_lead, format_when, parse_leads
from cogs.sessions.reminders import session_name
from cogs.sessions.store import Session
from cogs.sessions.views import ReasonModal

# The logger keeps the name it had before cog.py was split.
log = logging.getLogger("cogs.sessions.cog")


class RemindersAndRsvps(SessionLookups):
    """When reminders go out, and who said they'll come."""

    # --- /session reminders and /session rsvps ---------------------------------------------

    @session_group.command(
        name="reminders", description="When reminders are posted (server or cohort)"
    )
    @app_commands.describe(
        lead_times="e.g. 24h,1h · none · default (a cohort goes back to the server's)",
        cohort="Only for this cohort (default: the whole server)",
    )
    async def reminders(
        self, interaction: discord.Interaction, lead_times: str, cohort: str | None = None
    ) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await self._cohort(guild, cohort) if cohort is not None else None
        leads: tuple[int, ...] | None
        if lead_times.strip().lower() == "default":
            if found is None:
                raise UserError("`default` is for a cohort: give the `cohort` option.")
            leads = None
        else:
            with about("lead_times"):
                leads = parse_leads(lead_times)
            # ",," has no lead time in it: a typo, not "off" (which says so explicitly).
            if not leads and lead_times.strip().lower() not in OFF_WORDS:
                raise problem("lead_times", "give times like `24h,1h`, or `off` for none.")
        if found is None and leads == ():
            # Server-wide "off" cancels other people's reminders: ask first.
            pending = await self.store.pending_on_server_default(guild.id)
            await send_private(
                interaction,
                f"Turn reminders off for the whole server? This cancels **{pending}** pending "
                "reminder(s) for every cohort that uses the server's setting.",
                view=Confirm(
                    interaction.user.id,
                    lambda click: self.apply_leads(click, None, ()),
                    cancelled="Nothing changed: reminders stay as they were.",
                ),
            )
            return
        await self.apply_leads(interaction, found, leads)

    async def apply_leads(
        self, interaction: discord.Interaction, found: Cohort | None, leads: tuple[int, ...] | None
    ) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        now = self.bot.clock.now()
        await self.store.set_leads(
            guild.id, found.id if found else 0, leads, interaction.user.id, now
        )
        targets = [found.id] if found else [c.id for c in await self.cohorts.list(guild.id)]
        await planning.replan_cohorts(self.store, targets, now)
        await self.sender.rearm()
        effective = await self.store.leads(guild.id, found.id if found else 0)
        where = f"**{found.name}**" if found else "this server"
        said = ", ".join(format_lead(m) for m in effective) + " before" if effective else "off"
        await post_log(
            self.bot.outbox,
            guild,
            config,
            f"{interaction.user.mention} set reminders for {where}: {said}.",
        )
        if interaction.response.is_done():
            await interaction.edit_original_response(
                content=f"Reminders for {where}: {said}.", view=None
            )
        else:
            await send_private(interaction, f"Reminders for {where}: {said}.")

    @session_group.command(name="rsvps", description="Who said they'll come (with reasons)")
    @app_commands.describe(session="The session")
    async def rsvps(self, interaction: discord.Interaction, session: str) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        target = await self._session(guild, session)
        answers = await self.store.rsvps(target.id)
        members = await self.store.active_members(target.cohort_id)
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

    # --- RSVP buttons ----------------------------------------------------------------------

    async def _rsvp_target(self, interaction: discord.Interaction, occurrence_id: int) -> Session:
        target = await self.store.session(occurrence_id)
        if target is None or target.cancelled:
            raise UserError("This session was cancelled, so there's nothing to answer.")
        if target.starts_at <= self.bot.clock.now():
            raise UserError("This session has already started.")
        cohort_id = await self.store.active_cohort_of(target.guild_id, interaction.user.id)
        if cohort_id != target.cohort_id:
            raise UserError("Only members of this session's cohort can answer.")
        return target

    async def rsvp(self, interaction: discord.Interaction, occurrence_id: int, answer: str) -> None:
        target = await self._rsvp_target(interaction, occurrence_id)
        await self.store.rsvp(target.id, interaction.user.id, answer, None, self.bot.clock.now())
        log.debug("rsvp", extra={"occurrence_id": target.id, "answer": answer})
        if answer == "yes":
            await send_private(interaction, texts.RSVP_YES)
        else:
            await interaction.response.send_modal(ReasonModal(target.id))

    async def rsvp_reason(
        self, interaction: discord.Interaction, occurrence_id: int, reason: str
    ) -> None:
        target = await self._rsvp_target(interaction, occurrence_id)
        cleaned = " ".join(reason.split())[:300] or None
        await self.store.rsvp(target.id, interaction.user.id, "no", cleaned, self.bot.clock.now())
        await send_private(interaction, texts.RSVP_REASON_SAVED if cleaned else texts.RSVP_NO)

    # autocompletes
    reminders.autocomplete("cohort")(SessionLookups._cohort_names)
    rsvps.autocomplete("session")(SessionLookups._upcoming_choices)
