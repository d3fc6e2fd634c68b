"""One base for Lantern's persistent controls (`DynamicItem`s).

A persistent control's custom_id carries everything its handler needs, so it works hours
later and after a restart. A subclass gives its `template` (named groups that match its
`__init__` parameters; all-digit groups arrive as int) and `run()`; this base rebuilds it
from the custom_id and routes its errors to the global error handler, as for a command
(discord.py would only log them).
"""

from __future__ import annotations

from re import Match
from typing import Any, Self, TypeVar

import discord

BaseT = TypeVar("BaseT", bound=discord.ui.Item[Any])

# The bases are never registered, so their own template must match nothing.
_NEVER = r"(?!)"


class Persistent(discord.ui.DynamicItem[BaseT], template=_NEVER):
    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str], /
    ) -> Self:
        return cls(**{k: int(v) if v.isdigit() else v for k, v in match.groupdict().items()})

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.run(interaction)
        except Exception as error:
            from bot.tree import report_error  # the tree imports the cogs' views

            await report_error(interaction, error)

    async def run(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError


class PersistentButton(Persistent[discord.ui.Button[Any]], template=_NEVER):
    pass


class PersistentSelect(Persistent[discord.ui.Select[Any]], template=_NEVER):
    pass
