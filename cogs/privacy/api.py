"""What other features may use of privacy: saving the retention settings (for `/setup`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.cogs import required_cog

if TYPE_CHECKING:
    import discord

    from cogs.privacy.store import PrivacySettings

__all__ = ["save_settings"]


async def save_settings(
    client: Any, interaction: discord.Interaction, changes: dict[str, int | None]
) -> PrivacySettings:
    """Validate and save retention settings (None keeps a value); a private message when
    privacy is not loaded."""
    from cogs.privacy.cog import Privacy

    cog = required_cog(
        client, Privacy, "Privacy settings are unavailable right now; try again in a minute."
    )
    return await cog.save_settings(interaction, changes)
