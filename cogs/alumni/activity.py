"""When each alumnus last wrote in the server, kept cheaply.

Every message only adds one entry to a set (no database, no await: about a microsecond); the
people seen are written every few minutes and at shutdown with one statement, stamped with
the flush's time (at most a few minutes late, plenty for "quiet for N days"). Only people who
hold the alumni role at the flush are written, and only a time: never a message's content,
channel or id.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from cogs.alumni.outreach_store import OutreachStore

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)


class LastMessages:
    def __init__(self, bot: LanternBot, store: OutreachStore) -> None:
        self.bot, self.store = bot, store
        self._seen: set[tuple[int, int]] = set()  # (guild id, author id) since the last flush

    @property
    def waiting(self) -> int:
        """People seen since the last flush."""
        return len(self._seen)

    def note(self, message: discord.Message) -> None:
        """The on_message hot path: one set insert."""
        guild = message.guild
        if guild is not None and not message.author.bot:
            self._seen.add((guild.id, message.author.id))

    async def flush(self) -> int:
        """Write what was seen since the last flush (alumni only); returns how many."""
        seen, self._seen = self._seen, set()
        if not seen:
            return 0
        now = self.bot.clock.now()
        rows: list[tuple[int, int, datetime]] = []
        roles: dict[int, int | None] = {}
        for guild_id, user_id in seen:
            if guild_id not in roles:
                config = await self.bot.guild_configs.get(guild_id)
                roles[guild_id] = config.alumni_role_id if config else None
            guild = self.bot.get_guild(guild_id)
            member = guild.get_member(user_id) if guild else None
            role = roles[guild_id]
            if member is not None and role and member.get_role(role) is not None:
                rows.append((guild_id, user_id, now))
        try:
            await self.store.save_last_messages(rows)
        except Exception:
            self._seen |= seen  # keep them for the next flush
            raise
        log.debug("last messages saved", extra={"count": len(rows)})
        return len(rows)
