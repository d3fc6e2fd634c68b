"""Answering interactions safely, and the base classes for views and modals.

Views and modals route their errors to the same handler as slash commands, so a
button that fails shows the same "something went wrong, ref XXXXX" as a command.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()

S = TypeVar("S")
Handler = Callable[[S, discord.Interaction[Any]], Awaitable[None]]


def reports_errors(func: Handler[S]) -> Handler[S]:
    """For `DynamicItem.callback`: discord.py only logs their exceptions, so route them to
    the error handler (a private message, and an incident id for bugs) like commands."""

    @functools.wraps(func)
    async def wrapper(self: S, interaction: discord.Interaction[Any]) -> None:
        try:
            await func(self, interaction)
        except Exception as error:
            from bot.tree import report_error

            await report_error(interaction, error)

    return wrapper


async def send_private(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    fallback_dm: bool = False,
) -> bool:
    """Reply ephemerally, by initial response or follow-up as the interaction's state needs.
    If Discord refuses (token expired, outage), that is logged at ERROR with an incident id,
    and with `fallback_dm` (safety texts such as /help-now) the person gets it by DM."""
    kwargs: dict[str, Any] = {"allowed_mentions": NO_PINGS}
    if content is not None:
        kwargs["content"] = content
    if embed is not None:
        kwargs["embed"] = embed
    if view is not None:
        kwargs["view"] = view
    try:
        if interaction.response.is_done():
            await interaction.followup.send(ephemeral=True, **kwargs)
        else:
            await interaction.response.send_message(ephemeral=True, **kwargs)
        return True
    except discord.HTTPException as exc:
        from bot.tree import new_incident_id

        incident = new_incident_id()
        log.error(
            "could not answer an interaction (incident %s)",
            incident,
            extra={
                "interaction_id": interaction.id,
                "user_id": interaction.user.id,
                "status": exc.status,
                "code": exc.code,
                "incident": incident,
            },
        )
    if fallback_dm:
        try:
            await interaction.user.send(**kwargs)
            return True
        except discord.HTTPException as exc:
            log.error(
                "could not DM the answer either",
                extra={"user_id": interaction.user.id, "status": exc.status},
            )
    return False


class LanternView(discord.ui.View):
    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        from bot.tree import report_error

        await report_error(interaction, error)


class LanternModal(discord.ui.Modal):
    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        from bot.tree import report_error

        await report_error(interaction, error)
