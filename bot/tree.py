"""The command tree and the one error handler for commands, buttons and modals.

Expected errors (UserError and discord.py's check failures) become a clear private
message. Anything else is logged with a short incident id that the person also sees,
so a facilitator's report can be matched to the log. No traceback reaches a user.
"""

from __future__ import annotations

import logging
import secrets

import discord
from discord import app_commands

from bot import permissions
from bot.errors import UserError
from bot.interactions import answer_late, send_private, token_expired

log = logging.getLogger(__name__)

# Crockford's base32 without look-alikes (no I, L, O, U): easy to read out over the phone.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_incident_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(5))


def _unwrap(error: BaseException) -> BaseException:
    if isinstance(error, app_commands.CommandInvokeError):
        return error.original
    return error


def explain(error: BaseException) -> str | None:
    """The message for an expected error, or None if it is a bug to log."""
    if isinstance(error, UserError):
        return error.message
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works inside the program's server."
    if isinstance(error, app_commands.MissingPermissions):
        needed = ", ".join(permissions.label(p) for p in error.missing_permissions)
        return f"You need the **{needed}** permission for this."
    if isinstance(error, app_commands.BotMissingPermissions):
        needed = ", ".join(permissions.label(p) for p in error.missing_permissions)
        return f"I'm missing the **{needed}** permission here. A server admin can fix this."
    if isinstance(error, app_commands.TransformerError):
        if error.type in (
            discord.AppCommandOptionType.user,
            discord.AppCommandOptionType.mentionable,
        ):
            return "I couldn't find that member here. They may have left the server."
        return f"I couldn't understand `{discord.utils.escape_markdown(str(error.value))[:50]}`."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Please wait {error.retry_after:.0f} seconds and try again."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    if isinstance(error, discord.Forbidden):
        return (
            "Discord refused that because I'm missing a permission. A facilitator can run "
            "`/setup check` to see exactly what to fix."
        )
    if isinstance(error, discord.NotFound):
        return "That no longer exists on Discord (it may have been deleted). Nothing was changed."
    if isinstance(error, discord.DiscordServerError):
        return "Discord is having trouble right now. Nothing was changed; please try again soon."
    return None


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the person what went wrong, privately; log what is ours to fix."""
    error = _unwrap(error)
    if interaction.client.is_closed():
        # Shutting down: the session is gone, nobody can be answered; not a bug to report.
        log.warning("interaction interrupted by shutdown", extra={"interaction_id": interaction.id})
        return
    if token_expired(error):
        # The work ran past the token's 15 minutes; the answer can't go where it was asked.
        await answer_late(interaction, error, None)
        return
    message = explain(error)
    context = {
        "interaction_id": interaction.id,
        "guild_id": interaction.guild_id,
        "user_id": interaction.user.id if interaction.user else None,
        "command": interaction.command.qualified_name if interaction.command else None,
        "custom_id": (interaction.data or {}).get("custom_id"),
    }
    if message is None:
        incident = new_incident_id()
        log.error(
            "unexpected error (incident %s)",
            incident,
            exc_info=(type(error), error, error.__traceback__),
            extra={**context, "incident": incident},
        )
        message = (
            f"Something went wrong on our side (ref **{incident}**). Please try again; if it "
            "keeps happening, tell a facilitator and give them this ref."
        )
    elif isinstance(error, discord.HTTPException):
        log.warning(
            "discord refused an action",
            extra={**context, "status": error.status, "code": error.code},
        )
    else:
        log.info("refused: %s", type(error).__name__, extra=context)
    await send_private(interaction, message)


class LanternTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)
