"""Typed cog lookup by class (bot/cogs.py) instead of by string name."""

from __future__ import annotations

import pytest
from discord.ext import commands

from bot.cogs import loaded_cog, required_cog
from bot.errors import UserError


class Named(commands.Cog, name="Renamed"):
    pass


class Other(commands.Cog):
    pass


class FakeClient:
    def __init__(self, *cogs: commands.Cog) -> None:
        self.cogs = {cog.__cog_name__: cog for cog in cogs}

    def get_cog(self, name: str) -> commands.Cog | None:
        return self.cogs.get(name)


def test_finds_a_cog_by_its_class_even_when_renamed() -> None:
    named, other = Named(), Other()
    client = FakeClient(named, other)
    assert loaded_cog(client, Named) is named
    assert loaded_cog(client, Other) is other
    assert required_cog(client, Named, "unavailable") is named


def test_missing_wrong_type_or_plain_client_is_none_or_a_private_message() -> None:
    impostor = FakeClient()
    impostor.cogs["Other"] = Named()  # the name matches, the class does not
    for client in (FakeClient(), impostor, object()):
        assert loaded_cog(client, Other) is None
        with pytest.raises(UserError, match="restarting"):
            required_cog(client, Other, "Other is restarting.")
