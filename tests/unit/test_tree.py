import re

import discord
from discord import app_commands

from bot.errors import NotAuthorized, NotConfigured, UserError
from bot.tree import explain, new_incident_id


def test_incident_ids_are_short_and_unambiguous() -> None:
    ids = {new_incident_id() for _ in range(500)}
    assert len(ids) > 490
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}", i) for i in ids)


def test_user_errors_are_shown_as_written() -> None:
    assert explain(UserError("Bad time: 25:00")) == "Bad time: 25:00"
    assert "Only facilitators" in explain(NotAuthorized("Only facilitators can do this."))
    assert "/setup server" in explain(NotConfigured())


def test_missing_permission_is_named_the_way_discord_names_it() -> None:
    message = explain(app_commands.MissingPermissions(["manage_guild"]))
    assert "Manage Guild" in message or "Manage Server" in message


def test_unexpected_errors_are_not_explained() -> None:
    assert explain(ZeroDivisionError()) is None
    assert explain(KeyError("x")) is None


def test_forbidden_points_to_setup_check() -> None:
    class Response:
        status = 403
        reason = "Forbidden"

    error = discord.Forbidden(Response(), {"code": 50013, "message": "Missing Permissions"})
    assert "/setup check" in explain(error)


def test_discord_outages_and_vanished_things_are_explained() -> None:
    class Response:
        def __init__(self, status: int) -> None:
            self.status = status
            self.reason = "x"

    gone = discord.NotFound(Response(404), {"code": 10003, "message": "Unknown Channel"})
    assert "no longer exists" in (explain(gone) or "")
    outage = discord.DiscordServerError(Response(503), "upstream")
    assert "try again" in (explain(outage) or "")
