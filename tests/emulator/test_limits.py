"""Discord's limits on messages, components, modals and autocomplete: one test per limit.

Each sends a body just at the limit (accepted) and one just past it (refused with 400 50035
and the field named in the `errors` tree, as Discord answers).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from emulator import Emulator
from tests.emulator.program import Program
from tests.emulator.rest import AUTOCOMPLETE, COMMAND, Rest, refused

Path = tuple[str | int, ...]


@pytest.fixture
async def rest(emu: Emulator) -> AsyncIterator[Rest]:
    async with aiohttp.ClientSession() as session:
        yield Rest(emu, session)


@dataclass(frozen=True)
class Limit:
    name: str
    at: Any
    past: Any
    field: Path

    def __str__(self) -> str:
        return self.name


def button(custom_id: str = "b", **extra: Any) -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": "Go", "custom_id": custom_id, **extra}


def link(**extra: Any) -> dict[str, Any]:
    return {"type": 2, "style": 5, "label": "Docs", **extra}


def row(*items: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(items)}


def options(count: int, **extra: Any) -> list[dict[str, Any]]:
    return [{"label": f"o{i}", "value": f"v{i}", **extra} for i in range(count)]


def select(count: int = 3, **extra: Any) -> dict[str, Any]:
    return {"type": 3, "custom_id": "s", "options": options(count), **extra}


def embed(**fields: Any) -> dict[str, Any]:
    return {"type": "rich", **fields}


def field(name: str = "n", value: str = "v") -> dict[str, Any]:
    return {"name": name, "value": value, "inline": False}


def with_components(*rows: dict[str, Any]) -> dict[str, Any]:
    return {"content": "pick one", "components": list(rows)}


MESSAGE_LIMITS = [
    Limit("content 2000", {"content": "x" * 2000}, {"content": "x" * 2001}, ("content",)),
    Limit(
        "10 embeds",
        {"embeds": [embed(title="t")] * 10},
        {"embeds": [embed(title="t")] * 11},
        ("embeds",),
    ),
    Limit(
        "embed title 256",
        {"embeds": [embed(title="t" * 256)]},
        {"embeds": [embed(title="t" * 257)]},
        ("embeds", 0, "title"),
    ),
    Limit(
        "embed description 4096",
        {"embeds": [embed(description="d" * 4096)]},
        {"embeds": [embed(description="d" * 4097)]},
        ("embeds", 0, "description"),
    ),
    Limit(
        "25 fields",
        {"embeds": [embed(fields=[field()] * 25)]},
        {"embeds": [embed(fields=[field()] * 26)]},
        ("embeds", 0, "fields"),
    ),
    Limit(
        "field name 256",
        {"embeds": [embed(fields=[field(name="n" * 256)])]},
        {"embeds": [embed(fields=[field(name="n" * 257)])]},
        ("embeds", 0, "fields", 0, "name"),
    ),
    Limit(
        "field value 1024",
        {"embeds": [embed(fields=[field(value="v" * 1024)])]},
        {"embeds": [embed(fields=[field(value="v" * 1025)])]},
        ("embeds", 0, "fields", 0, "value"),
    ),
    Limit(
        "field name not empty",
        {"embeds": [embed(fields=[field(name="n")])]},
        {"embeds": [embed(fields=[field(name="")])]},
        ("embeds", 0, "fields", 0, "name"),
    ),
    Limit(
        "field value not empty",
        {"embeds": [embed(fields=[field(value="v")])]},
        {"embeds": [embed(fields=[field(value="")])]},
        ("embeds", 0, "fields", 0, "value"),
    ),
    Limit(
        "footer text 2048",
        {"embeds": [embed(footer={"text": "f" * 2048})]},
        {"embeds": [embed(footer={"text": "f" * 2049})]},
        ("embeds", 0, "footer", "text"),
    ),
    Limit(
        "author name 256",
        {"embeds": [embed(author={"name": "a" * 256})]},
        {"embeds": [embed(author={"name": "a" * 257})]},
        ("embeds", 0, "author", "name"),
    ),
    Limit(
        "6000 characters across embeds",
        {"embeds": [embed(description="d" * 3000), embed(title="t" * 200, description="d" * 2800)]},
        {"embeds": [embed(description="d" * 3000), embed(title="t" * 201, description="d" * 2800)]},
        ("embeds",),
    ),
    Limit(
        "5 action rows",
        with_components(*[row(button(f"b{i}")) for i in range(5)]),
        with_components(*[row(button(f"b{i}")) for i in range(6)]),
        ("components",),
    ),
    Limit(
        "5 buttons a row",
        with_components(row(*[button(f"b{i}") for i in range(5)])),
        with_components(row(*[button(f"b{i}") for i in range(6)])),
        ("components", 0, "components"),
    ),
    Limit(
        "a select takes a whole row",
        with_components(row(select()), row(button())),
        with_components(row(button(), select())),
        ("components", 0, "components", 1),
    ),
    Limit(
        "button label 80",
        with_components(row(button(label="l" * 80))),
        with_components(row(button(label="l" * 81))),
        ("components", 0, "components", 0, "label"),
    ),
    Limit(
        "custom_id 100",
        with_components(row(button("c" * 100))),
        with_components(row(button("c" * 101))),
        ("components", 0, "components", 0, "custom_id"),
    ),
    Limit(
        "custom_id not empty",
        with_components(row(button("c"))),
        with_components(row(button(""))),
        ("components", 0, "components", 0, "custom_id"),
    ),
    Limit(
        "custom_id unique",
        with_components(row(button("a")), row(button("b"))),
        with_components(row(button("a")), row(button("a"))),
        ("components", 1, "components", 0, "custom_id"),
    ),
    Limit(
        "a link button has a url",
        with_components(row(link(url="https://example.org"))),
        with_components(row(link())),
        ("components", 0, "components", 0, "url"),
    ),
    Limit(
        "a link button has no custom_id",
        with_components(row(link(url="https://example.org"))),
        with_components(row(link(url="https://example.org", custom_id="x"))),
        ("components", 0, "components", 0, "custom_id"),
    ),
    Limit(
        "other buttons have a custom_id",
        with_components(row(button("x"))),
        with_components(row({"type": 2, "style": 1, "label": "Go"})),
        ("components", 0, "components", 0, "custom_id"),
    ),
    Limit(
        "25 select options",
        with_components(row(select(25))),
        with_components(row(select(26))),
        ("components", 0, "components", 0, "options"),
    ),
    Limit(
        "at least 1 select option",
        with_components(row(select(1))),
        with_components(row(select(0))),
        ("components", 0, "components", 0, "options"),
    ),
    Limit(
        "option label 100",
        with_components(row(select(options=[{"label": "l" * 100, "value": "v"}]))),
        with_components(row(select(options=[{"label": "l" * 101, "value": "v"}]))),
        ("components", 0, "components", 0, "options", 0, "label"),
    ),
    Limit(
        "option value 100",
        with_components(row(select(options=[{"label": "l", "value": "v" * 100}]))),
        with_components(row(select(options=[{"label": "l", "value": "v" * 101}]))),
        ("components", 0, "components", 0, "options", 0, "value"),
    ),
    Limit(
        "option description 100",
        with_components(row(select(options=options(1, description="d" * 100)))),
        with_components(row(select(options=options(1, description="d" * 101)))),
        ("components", 0, "components", 0, "options", 0, "description"),
    ),
    Limit(
        "placeholder 150",
        with_components(row(select(placeholder="p" * 150))),
        with_components(row(select(placeholder="p" * 151))),
        ("components", 0, "components", 0, "placeholder"),
    ),
    Limit(
        "min_values 0-25",
        with_components(row(select(25, min_values=25, max_values=25))),
        with_components(row(select(25, min_values=26, max_values=25))),
        ("components", 0, "components", 0, "min_values"),
    ),
    Limit(
        "max_values 1-25",
        with_components(row(select(1, max_values=1))),
        with_components(row(select(1, max_values=0))),
        ("components", 0, "components", 0, "max_values"),
    ),
    Limit(
        "max_values <= options",
        with_components(row(select(3, max_values=3))),
        with_components(row(select(3, max_values=4))),
        ("components", 0, "components", 0, "max_values"),
    ),
    Limit(
        "min_values <= max_values",
        with_components(row(select(3, min_values=2, max_values=2))),
        with_components(row(select(3, min_values=3, max_values=2))),
        ("components", 0, "components", 0, "min_values"),
    ),
    Limit(
        "option values unique",
        with_components(
            row(select(options=[{"label": "a", "value": "1"}, {"label": "b", "value": "2"}]))
        ),
        with_components(
            row(select(options=[{"label": "a", "value": "1"}, {"label": "b", "value": "1"}]))
        ),
        ("components", 0, "components", 0, "options", 1, "value"),
    ),
]


@pytest.mark.parametrize("limit", MESSAGE_LIMITS, ids=str)
async def test_message_limit(rest: Rest, program: Program, limit: Limit) -> None:
    path = f"/channels/{program.general.id}/messages"
    status, data = await rest.call("POST", path, limit.at)
    assert status == 200, data
    status, data = await rest.call("POST", path, limit.past)
    assert refused(status, data, limit.field), (status, data)


def text_input(custom_id: str = "t", **extra: Any) -> dict[str, Any]:
    return {"type": 4, "custom_id": custom_id, "style": 1, "label": "Note", **extra}


def modal(*rows: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data = {"custom_id": "m", "title": "Leave a note", "components": list(rows), **extra}
    return {"type": 9, "data": data}


def input_field(name: str) -> Path:
    return ("data", "components", 0, "components", 0, name)


MODAL_LIMITS = [
    Limit(
        "modal title 45",
        modal(row(text_input()), title="t" * 45),
        modal(row(text_input()), title="t" * 46),
        ("data", "title"),
    ),
    Limit(
        "modal title not empty",
        modal(row(text_input()), title="t"),
        modal(row(text_input()), title=""),
        ("data", "title"),
    ),
    Limit(
        "modal custom_id 100",
        modal(row(text_input()), custom_id="m" * 100),
        modal(row(text_input()), custom_id="m" * 101),
        ("data", "custom_id"),
    ),
    Limit(
        "5 modal rows",
        modal(*[row(text_input(f"t{i}")) for i in range(5)]),
        modal(*[row(text_input(f"t{i}")) for i in range(6)]),
        ("data", "components"),
    ),
    Limit("at least 1 modal row", modal(row(text_input())), modal(), ("data", "components")),
    Limit(
        "a text input takes a whole row",
        modal(row(text_input("a")), row(text_input("b"))),
        modal(row(text_input("a"), text_input("b"))),
        ("data", "components", 0, "components", 1),
    ),
    Limit(
        "text input label 45",
        modal(row(text_input(label="l" * 45))),
        modal(row(text_input(label="l" * 46))),
        input_field("label"),
    ),
    Limit(
        "text input label not empty",
        modal(row(text_input(label="l"))),
        modal(row(text_input(label=""))),
        input_field("label"),
    ),
    Limit(
        "text input placeholder 100",
        modal(row(text_input(placeholder="p" * 100))),
        modal(row(text_input(placeholder="p" * 101))),
        input_field("placeholder"),
    ),
    Limit(
        "min_length 0-4000",
        modal(row(text_input(min_length=4000, max_length=4000))),
        modal(row(text_input(min_length=4001, max_length=4000))),
        input_field("min_length"),
    ),
    Limit(
        "max_length 1-4000",
        modal(row(text_input(max_length=4000))),
        modal(row(text_input(max_length=4001))),
        input_field("max_length"),
    ),
    Limit(
        "max_length at least 1",
        modal(row(text_input(max_length=1))),
        modal(row(text_input(max_length=0))),
        input_field("max_length"),
    ),
    Limit(
        "min_length <= max_length",
        modal(row(text_input(min_length=10, max_length=10))),
        modal(row(text_input(min_length=11, max_length=10))),
        input_field("min_length"),
    ),
    Limit(
        "pre-filled value 4000",
        modal(row(text_input(value="v" * 4000))),
        modal(row(text_input(value="v" * 4001))),
        input_field("value"),
    ),
    Limit(
        "pre-filled value within min/max",
        modal(row(text_input(value="v" * 5, min_length=5, max_length=10))),
        modal(row(text_input(value="v" * 4, min_length=5, max_length=10))),
        input_field("value"),
    ),
    Limit(
        "text input custom_id 100",
        modal(row(text_input("c" * 100))),
        modal(row(text_input("c" * 101))),
        input_field("custom_id"),
    ),
    Limit(
        "text input custom_id unique",
        modal(row(text_input("a")), row(text_input("b"))),
        modal(row(text_input("a")), row(text_input("a"))),
        ("data", "components", 1, "components", 0, "custom_id"),
    ),
]


@pytest.mark.parametrize("limit", MODAL_LIMITS, ids=str)
async def test_modal_limit(rest: Rest, program: Program, limit: Limit) -> None:
    status, data = await rest.call(
        "POST", rest.interaction(COMMAND, program.bob, program.general), limit.at
    )
    assert status == 200, data
    status, data = await rest.call(
        "POST", rest.interaction(COMMAND, program.bob, program.general), limit.past
    )
    assert refused(status, data, limit.field), (status, data)


def choices(count: int, name: str = "c", value: Any = "v") -> dict[str, Any]:
    return {"type": 8, "data": {"choices": [{"name": name, "value": value}] * count}}


AUTOCOMPLETE_LIMITS = [
    Limit("25 choices", choices(25), choices(26), ("data", "choices")),
    Limit(
        "choice name 100",
        choices(1, name="n" * 100),
        choices(1, name="n" * 101),
        ("data", "choices", 0, "name"),
    ),
    Limit(
        "choice name not empty",
        choices(1, name="n"),
        choices(1, name=""),
        ("data", "choices", 0, "name"),
    ),
    Limit(
        "choice string value 100",
        choices(1, value="v" * 100),
        choices(1, value="v" * 101),
        ("data", "choices", 0, "value"),
    ),
]


@pytest.mark.parametrize("limit", AUTOCOMPLETE_LIMITS, ids=str)
async def test_autocomplete_limit(rest: Rest, program: Program, limit: Limit) -> None:
    status, data = await rest.call(
        "POST", rest.interaction(AUTOCOMPLETE, program.bob, program.general), limit.at
    )
    assert status == 200, data
    status, data = await rest.call(
        "POST", rest.interaction(AUTOCOMPLETE, program.bob, program.general), limit.past
    )
    assert refused(status, data, limit.field), (status, data)
