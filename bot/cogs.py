"""Finding a loaded cog by its class, typed, instead of by a string name.

``client.get_cog("Checkins")`` returns ``Cog | None``: every caller then needs a
``# type: ignore`` to use it, and a renamed class silently breaks the lookup. These helpers
look the cog up by the name discord.py derives from the class itself and check its type.
"""

from __future__ import annotations

from typing import Any, TypeVar

from discord.ext import commands

from bot.errors import UserError

__all__ = ["loaded_cog", "required_cog"]

C = TypeVar("C", bound=commands.Cog)


def loaded_cog(client: Any, kind: type[C]) -> C | None:
    """The loaded cog of class ``kind``, or None (not loaded yet, unloaded, or a plain client)."""
    get = getattr(client, "get_cog", None)
    cog = get(kind.__cog_name__) if get is not None else None
    return cog if isinstance(cog, kind) else None


def required_cog(client: Any, kind: type[C], unavailable: str) -> C:
    """The loaded cog of class ``kind``; a private ``unavailable`` message when it is not."""
    cog = loaded_cog(client, kind)
    if cog is None:
        raise UserError(unavailable)
    return cog
