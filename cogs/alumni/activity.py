"""When each alumnus last wrote in the server, kept cheaply.

Every message only stores one entry in a dict (no database, no await: about a microsecond); the
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
        # (guild id, author id) -> the author as the message had it, since the last flush. The
        # message's own member is kept: on a big server the member cache may not hold them.
        self._seen: dict[tuple[int, int], discord.Member | discord.User] = {}

    @property
    def waiting(self) -> int:
        """People seen since the last flush."""
        return len(self._seen)

    def note(self, message: discord.Message) -> None:
        """The on_message hot path: one dict store."""
        author = message.author
        if message.guild is not None and not author.bot:
            self._seen[(message.guild.id, author.id)] = author

    async def flush(self) -> int:
        """Write what was seen since the last flush (alumni only); returns how many."""
        seen, self._seen = self._seen, {}
        if not seen:
            return 0
        now = self.bot.clock.now()
        rows: list[tuple[int, int, datetime]] = []
        roles: dict[int, int | None] = {}
        for (guild_id, user_id), author in seen.items():
            if guild_id not in roles:
                config = await self.bot.guild_configs.get(guild_id)
                roles[guild_id] = config.alumni_role_id if config else None
            guild = self.bot.get_guild(guild_id)
            member = (guild.get_member(user_id) if guild else None) or author
            role = roles[guild_id]
            if isinstance(member, discord.Member) and role and member.get_role(role) is not None:
                rows.append((guild_id, user_id, now))
        try:
            await self.store.save_last_messages(rows)
        except Exception:
            self._seen = {**seen, **self._seen}  # keep them for the next flush
            raise
        log.debug("last messages saved", extra={"count": len(rows)})
        return len(rows)
