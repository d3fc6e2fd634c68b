"""Project-wide promises: every cog loads in isolation, command names are unique."""

import importlib

from bot.client import discover_extensions


def test_every_extension_has_a_setup_function() -> None:
    extensions = discover_extensions()
    assert "cogs.setup" in extensions
    for name in extensions:
        assert callable(getattr(importlib.import_module(name), "setup", None)), name
