"""What other features may use of crisis support: screening a text, the local resources.

Other features call these instead of reaching into the crisis cog; while crisis support is not
loaded (start-up, a reload) they do nothing and say so in their return value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.cogs import loaded_cog
from cogs.crisis.messages import local_lines
from cogs.crisis.staff_messages import about_person as alert_messages_about
from cogs.crisis.staff_messages import quoting_before as alert_messages_quoting_before
from cogs.crisis.staff_messages import withdraw_pending as withdraw_pending_alert_lines

if TYPE_CHECKING:
    import discord

    from cogs.crisis.cog import Crisis
    from cogs.crisis.detector import Verdict
    from cogs.crisis.store import LocalResource

__all__ = [
    "alert_messages_about",
    "alert_messages_quoting_before",
    "available",
    "local_lines",
    "local_resources",
    "screen",
    "withdraw_pending_alert_lines",
]


def _crisis(client: Any) -> Crisis | None:
    from cogs.crisis.cog import Crisis

    return loaded_cog(client, Crisis)


def available(client: Any) -> bool:
    """Whether crisis support is loaded (it is, except during start-up or a reload)."""
    return _crisis(client) is not None


async def screen(client: Any, member: discord.Member, text: str, **options: Any) -> Verdict | None:
    """Run ``text`` from ``member`` through the crisis pipeline (``options`` as
    ``Escalation.screen``: source, jump_url, force_level, reason...). None when crisis
    support is not loaded or the server is not set up."""
    cog = _crisis(client)
    return None if cog is None else await cog.screen(member, text, **options)


async def local_resources(client: Any, guild_id: int) -> list[LocalResource]:
    """The server's own local lines (``/resources``), or none while crisis support is down."""
    cog = _crisis(client)
    return [] if cog is None else await cog.store.resources(guild_id)
