"""bot/buttons: one base rebuilds a persistent control from its custom_id."""

import discord

from bot.buttons import PersistentButton


class Sample(PersistentButton, template=r"test:(?P<action>go|stop):(?P<item_id>[0-9]+)"):
    def __init__(self, action: str, item_id: int) -> None:
        super().__init__(discord.ui.Button(label=action, custom_id=f"test:{action}:{item_id}"))
        self.action, self.item_id = action, item_id


async def test_rebuilt_from_custom_id_with_typed_fields() -> None:
    match = Sample.__discord_ui_compiled_template__.fullmatch("test:stop:123")
    assert match is not None
    rebuilt = await Sample.from_custom_id(None, None, match)  # type: ignore[arg-type]
    assert (rebuilt.action, rebuilt.item_id) == ("stop", 123)
    assert rebuilt.custom_id == "test:stop:123"


def test_bases_match_no_custom_id() -> None:
    assert PersistentButton.__discord_ui_compiled_template__.fullmatch("test:go:1") is None
