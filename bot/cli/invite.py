"""`lantern invite-url`: the OAuth2 URL that adds the bot with the permissions it needs."""

from __future__ import annotations

import argparse
import base64
import binascii

from bot.cli.exits import EXIT_OK
from config.settings import SettingsError, env_name, load_settings


def application_id_from_token(token: str) -> int | None:
    """A bot token's first part is the base64 of the bot's user id (= application id)."""
    first = token.split(".", 1)[0]
    try:
        decoded = base64.b64decode(first + "=" * (-len(first) % 4), validate=False).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return int(decoded) if decoded.isdigit() else None


def cmd_invite_url(args: argparse.Namespace) -> int:
    from bot.permissions import invite_url

    settings = load_settings()
    client_id = args.client_id or settings.application_id
    if client_id is None and settings.discord_token is not None:
        client_id = application_id_from_token(settings.discord_token.get_secret_value())
    if client_id is None:
        raise SettingsError(
            f"no application id: pass --client-id, set {env_name('application_id')}, or set "
            f"{env_name('discord_token')} (the id is read from it)."
        )
    print(invite_url(client_id))
    return EXIT_OK
