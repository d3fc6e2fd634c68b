"""Sending reminders, and telling people about changes.

One scheduler job (`sessions:reminders:next`) wakes at the earliest pending reminder in the
database; it is re-armed after every change and at start-up, so a restart rebuilds it with
one query. Each wake-up claims what is due and hands it to the outbox in one transaction
(exactly once, even across a crash), and skips what is stale (cancelled, moved, more than
GRACE late after downtime). The outbox sends them paced under Discord's global limit and
retries through Discord errors; a reminder whose session has started by then is dropped.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord

from bot.interactions import NO_PINGS
from bot.outbox import Item, Landed
from bot.storage.database import DatabaseClosedError
from bot.tasks import create_task
from cogs.cohorts.api import Membership
from cogs.sessions import planning, texts
from cogs.sessions.records import Session, session_name
from cogs.sessions.recurrence import format_clock, format_lead, format_when, to_local
from cogs.sessions.reminder_store import ReminderStore
from cogs.sessions.rsvp import rsvp_view
from cogs.sessions.store import SessionStore

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)

JOB_ID = "sessions:reminders:next"
REMINDER = "session_reminder"


def session_embed(
    session: Session, zone: str, title: str, *, cohort: str | None = None
) -> discord.Embed:
    ends = format_clock(to_local(session.ends_at, zone))
    lines = [f"**{format_when(session.starts_at, zone)}** to {ends}"]
    if cohort:
        lines.append(f"Cohort: {cohort}")
    if session.location:
        lines.append(f"📍 {session.location}")
    if session.link:
        lines.append(f"🔗 {session.link}")
    return discord.Embed(
        title=title[:256], description="\n".join(lines), colour=discord.Colour.blurple()
    )


async def _send(
    target: discord.abc.Messageable, embed: discord.Embed, occurrence_id: int, nonce: str
) -> discord.Message:
    view = rsvp_view(occurrence_id)
    sent = await target.send(embed=embed, view=view, allowed_mentions=NO_PINGS, nonce=nonce)
    # The buttons are dynamic items (dispatched by custom id, across restarts), so the view
    # object needn't stay in discord.py's view store: thousands a week would pile up there.
    view.stop()
    return sent


class ReminderSender:
    def __init__(
        self, bot: LanternBot, store: SessionStore, reminders: ReminderStore, cohorts: Membership
    ) -> None:
        self.bot = bot
        self.store = store
        self.reminders = reminders
        self.cohorts = cohorts
        self._lock = asyncio.Lock()

    # --- the one job -----------------------------------------------------------------

    async def rearm(self) -> None:
        """Point the job at the earliest pending reminder (or remove it: nothing pending)."""
        due = await self.reminders.next_due(self.bot.guild_scope("o.guild_id"))
        if due is None:
            self.bot.scheduler.remove(JOB_ID)
            return
        when = max(due, self.bot.clock.now())
        # No APScheduler grace: lateness is judged per reminder in claim_due (GRACE).
        self.bot.scheduler.at(JOB_ID, when, self.wake, grace_seconds=None)

    async def wake(self) -> None:
        # Return at once so the job's single instance is free for the next re-arm; the work
        # runs as a tracked task, serialised by the lock.
        create_task(self.send_due(), name="sessions:send_due")

    async def send_due(self) -> int:
        """Send what is due now; returns how many were sent."""
        async with self._lock:
            try:
                return await self._send_due()
            except DatabaseClosedError:
                return 0  # shutting down; what wasn't claimed is still pending for next start

    async def _send_due(self) -> int:
        now = self.bot.clock.now()
        async with self.bot.db.transaction():
            due, skipped = await self.reminders.claim_due(
                now, now - planning.GRACE, self.bot.guild_scope("o.guild_id")
            )
            sessions = {
                s.id: s
                for s in await self.store.sessions_by_ids(sorted({r.occurrence_id for r in due}))
            }
            for reminder in due:
                session = sessions.get(reminder.occurrence_id)
                await self.bot.outbox.enqueue(
                    REMINDER, reminder.id, guild_id=session.guild_id if session else None
                )
        if skipped:
            log.info("skipped stale session reminders", extra={"count": skipped})
        if due:
            log.info("session reminders handed to the outbox", extra={"due": len(due)})
        if not self.bot.is_closed():
            await self.rearm()
        return len(due)

    async def deliver(self, item: Item) -> Landed | None:
        """The outbox's handler for one reminder (a channel post or a DM)."""
        reminder = await self.reminders.reminder(item.subject_id)
        if reminder is None:
            return None
        sessions = await self.store.sessions_by_ids([reminder.occurrence_id])
        session = sessions[0] if sessions else None
        now = self.bot.clock.now()
        if (
            session is None
            or session.status != "scheduled"
            or session.starts_at != reminder.for_start
            or session.starts_at <= now
        ):
            return None  # cancelled, moved or already started meanwhile: too late to help
        title = texts.REMINDER_TITLE.format(
            title=session_name(session), lead=format_lead(reminder.lead_minutes)
        )
        if reminder.user_id == 0:
            channel = await self._announcements(session)
            if channel is None:
                return Landed("no_channel")
            embed = session_embed(session, session.timezone, title)
            embed.set_footer(text=texts.REMINDER_FOOTER)
            sent = await _send(channel, embed, session.id, item.nonce())
            return Landed("channel", sent.channel.id, sent.id)
        prefs = await self.reminders.prefs(session.guild_id, reminder.user_id)
        cohort = await self.cohorts.get(session.guild_id, session.cohort_id)
        embed = session_embed(
            session,
            prefs.timezone or session.timezone,
            title,
            cohort=cohort.name if cohort else None,
        )
        embed.set_footer(text=texts.DM_FOOTER)
        try:
            user = self.bot.get_user(reminder.user_id) or await self.bot.fetch_user(
                reminder.user_id
            )
            sent = await _send(user, embed, session.id, item.nonce())
        except (discord.Forbidden, discord.NotFound) as exc:
            log.info(
                "session reminder DM refused",
                extra={"reminder_id": reminder.id, "code": exc.code},
            )
            return Landed("dms_closed")
        return Landed("dm", sent.channel.id, sent.id)

    async def gave_up(self, item: Item) -> None:
        await self.reminders.mark_failed(item.subject_id)

    async def _announcements(self, session: Session) -> discord.TextChannel | None:
        cohort = await self.cohorts.get(session.guild_id, session.cohort_id)
        guild = self.bot.get_guild(session.guild_id)
        channel = (
            guild.get_channel(cohort.announcements_channel_id or 0) if guild and cohort else None
        )
        if not isinstance(channel, discord.TextChannel):
            log.warning(
                "no announcements channel for session reminders",
                extra={"guild_id": session.guild_id, "cohort_id": session.cohort_id},
            )
            return None
        return channel

    # --- telling people about a change -----------------------------------------------

    async def announce_change(
        self, sessions: list[Session], title: str, summary: str, message: str | None
    ) -> tuple[bool, int]:
        """One post in the cohort's announcements and one DM to each member who opted in to
        DM reminders: everyone affected hears once, however many sessions changed.
        Returns (posted, DMs sent)."""
        if not sessions:
            return False, 0
        first = sessions[0]
        embed = discord.Embed(
            title=title, description=summary[:4000], colour=discord.Colour.orange()
        )
        if message:
            embed.add_field(name="From your facilitator", value=message[:1024], inline=False)
        posted = False
        channel = await self._announcements(first)
        if channel is not None:
            try:
                await channel.send(embed=embed, allowed_mentions=NO_PINGS)
                posted = True
            except discord.HTTPException as exc:
                log.warning("could not announce a session change", extra={"status": exc.status})
        people = (await self.reminders.dm_people([first.cohort_id])).get(first.cohort_id, [])
        dms = 0
        for user_id, _lead in people:
            try:
                user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
                await user.send(embed=embed, allowed_mentions=NO_PINGS)
                dms += 1
            except discord.HTTPException as exc:
                log.info("could not DM a session change", extra={"status": exc.status})
        return posted, dms
