"""Undo Discord objects created by a multi-step action that failed half-way, so a failed
command leaves nothing half-made (the database is only written once Discord succeeded)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import discord

log = logging.getLogger(__name__)


@dataclass
class Created:
    items: list[discord.Role | discord.abc.GuildChannel] = field(default_factory=list)

    def add(self, item: discord.Role | discord.abc.GuildChannel) -> None:
        self.items.append(item)

    async def undo(self, reason: str = "Lantern: undoing a failed action") -> None:
        for item in reversed(self.items):
            try:
                await item.delete(reason=reason)
            except discord.HTTPException:
                log.warning("could not undo a created item", extra={"item_id": item.id})
        self.items.clear()
