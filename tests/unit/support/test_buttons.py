"""Support's persistent buttons keep the custom_ids old messages carry, and each is rebuilt
from one with the same fields (bot/buttons.PersistentButton)."""

from typing import Any

import pytest

from bot.buttons import PersistentButton
from bot.errors import UserError
from cogs.support.ground import GroundButton
from cogs.support.plan_together_views import AnswerButton, PartSelect, TogetherButton
from cogs.support.plan_views import PlanPartButton, PlanViewButton
from cogs.support.talk_views import ConversationButton, TalkStartButton


async def _rebuilt(kind: type[PersistentButton], custom_id: str) -> Any:
    match = kind.__discord_ui_compiled_template__.fullmatch(custom_id)
    assert match is not None, custom_id
    item: Any = None  # from_custom_id reads only the match
    return await kind.from_custom_id(item, item, match)


@pytest.mark.parametrize(
    ("made", "custom_id", "fields"),
    [
        (ConversationButton("claim", 42), "lantern:talk:claim:42", {"conversation_id": 42}),
        (TalkStartButton(7), "lantern:talk:start:7", {"guild_id": 7}),
        (PlanPartButton("people"), "lantern:plan:edit:people", {"part": "people"}),
        (PlanViewButton(7, 9), "lantern:plan:view:7:9", {"guild_id": 7, "user_id": 9}),
        (TogetherButton(3), "lantern:plan:together:3", {"conversation_id": 3}),
        (PartSelect(3), "lantern:plan:together:pick:3", {"conversation_id": 3}),
        (AnswerButton("use", 5), "lantern:plan:proposal:use:5", {"answer": "use"}),
        (AnswerButton("skip", 5), "lantern:plan:proposal:skip:5", {"proposal_id": 5}),
        (GroundButton("box", "new"), "lantern:ground:box:new", {"step": "new"}),
        (GroundButton("senses", "3"), "lantern:ground:senses:3", {"step": "3"}),
    ],
)
async def test_custom_ids_are_unchanged_and_rebuild(
    made: PersistentButton, custom_id: str, fields: dict[str, object]
) -> None:
    assert made.custom_id == custom_id
    rebuilt = await _rebuilt(type(made), custom_id)
    assert rebuilt.custom_id == custom_id
    assert {name: getattr(rebuilt, name) for name in fields} == fields


async def test_a_plan_part_that_no_longer_exists_is_refused() -> None:
    with pytest.raises(UserError):
        await _rebuilt(PlanPartButton, "lantern:plan:edit:old_part")
