"""Errors whose message is safe and useful to show the person who caused them.

Raise a UserError anywhere under a command, button or modal; the one error handler
(`bot.tree`) shows its message privately and changes nothing else.
"""

from __future__ import annotations

from discord import app_commands


class UserError(app_commands.AppCommandError):
    """Bad input or a refused action: shown to the user as-is, ephemerally."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotConfigured(UserError, app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__(
            "Lantern isn't set up on this server yet. Someone with **Manage Server** can run "
            "`/setup server` to choose the facilitator role, the staff channels, the timezone "
            "and the crisis-resource region."
        )


class NotAuthorized(UserError, app_commands.CheckFailure):
    """The caller lacks the role or permission the command needs."""


class GuildOnly(UserError, app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__("This command only works inside the program's server.")
