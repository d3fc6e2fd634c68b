"""Publishing sessions as Discord scheduled events, kept in step with the database.

Events are attached to the cohort's voice channel: Discord shows such an event only to people
who can see that channel, so one cohort never sees another's sessions (an "external" event
would be visible to the whole server). Only sessions in the next EVENT_WINDOW are published
(Discord allows 100 scheduled events per server). The database is the source of truth:
`sync` creates missing events, moves stale ones and removes those of cancelled sessions, so
it can run at any time (after a command, periodically, after downtime).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

import discord

from cogs.cohorts.api import Membership
from cogs.sessions import planning
from cogs.sessions.records import Session, session_name
from cogs.sessions.store import SessionStore

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)


class EventPublisher:
    def __init__(self, bot: LanternBot, store: SessionStore, cohorts: Membership) -> None:
        self.bot = bot
        self.store = store
        self.cohorts = cohorts

    def _allowed(self, guild: discord.Guild) -> bool:
        perms = guild.me.guild_permissions if guild.me else discord.Permissions.none()
        return perms.manage_events or perms.create_events

    async def sync(self, guild_id: int) -> int:
        """Bring the server's events in line with its sessions; returns how many changed."""
        guild = self.bot.get_guild(guild_id)
        if guild is None or not self._allowed(guild):
            return 0
        now = self.bot.clock.now()
        # A minute of margin: Discord refuses events that start in the past.
        todo = await self.store.sessions_needing_events(
            guild_id, now + timedelta(minutes=1), now + planning.EVENT_WINDOW
        )
        changed = 0
        for session in todo:
            try:
                changed += await self._sync_one(guild, session)
            except discord.HTTPException as exc:
                log.warning(
                    "could not update a session's Discord event",
                    extra={"occurrence_id": session.id, "status": exc.status, "code": exc.code},
                )
        return changed

    async def _sync_one(self, guild: discord.Guild, session: Session) -> int:
        if session.cancelled:
            await self._delete(guild, session.event_id)
            await self.store.set_event(session.id, None, None)
            return 1
        if session.event_id is not None:
            try:
                event = await guild.fetch_scheduled_event(session.event_id)
                await event.edit(start_time=session.starts_at, end_time=session.ends_at)
                await self.store.set_event(session.id, event.id, session.starts_at)
                return 1
            except discord.NotFound:
                pass  # deleted by hand: publish it again below
        cohort = await self.cohorts.get(guild.id, session.cohort_id)
        voice = guild.get_channel(cohort.voice_channel_id or 0) if cohort else None
        if not isinstance(voice, discord.VoiceChannel | discord.StageChannel):
            log.info(
                "no cohort voice channel for session events", extra={"occurrence_id": session.id}
            )
            return 0
        details = [d for d in (session.location, session.link) if d]
        details.append("Reminders and RSVPs: Lantern posts them in your cohort's announcements.")
        event = await guild.create_scheduled_event(
            name=f"{session_name(session)} · {cohort.name}"[:100] if cohort else session.title,
            start_time=session.starts_at,
            end_time=session.ends_at,
            channel=voice,
            entity_type=discord.EntityType.voice
            if isinstance(voice, discord.VoiceChannel)
            else discord.EntityType.stage_instance,
            privacy_level=discord.PrivacyLevel.guild_only,
            description="\n".join(details)[:1000],
            reason="Lantern: session schedule",
        )
        await self.store.set_event(session.id, event.id, session.starts_at)
        return 1

    async def delete_events(self, guild_id: int, sessions: Sequence[Session]) -> None:
        """Remove the events of sessions about to be deleted (best effort)."""
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return
        for session in sessions:
            if session.event_id is None:
                continue
            try:
                await self._delete(guild, session.event_id)
            except discord.HTTPException as exc:
                log.warning("could not delete a session event", extra={"status": exc.status})

    async def _delete(self, guild: discord.Guild, event_id: int | None) -> None:
        if event_id is None:
            return
        try:
            event = await guild.fetch_scheduled_event(event_id)
            await event.delete(reason="Lantern: session cancelled")
        except discord.NotFound:
            pass  # already gone
