"""Discord's limits on commands, names, server caps, and on every route that carries a message.

One test per limit: a body just at the limit is accepted, one just past it is refused with
Discord's answer (400 50035 naming the field, or the documented code for server caps).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import discord
import pytest

from emulator import Emulator
from tests.emulator.program import Program
from tests.emulator.rest import COMMAND, COMPONENT, Rest, named, refused
from tests.emulator.testbot import ProbeBot

Path = tuple[str | int, ...]


@pytest.fixture
async def rest(emu: Emulator) -> AsyncIterator[Rest]:
    async with aiohttp.ClientSession() as session:
        yield Rest(emu, session)


async def at_and_past(rest: Rest, method: str, path: str, at: Any, past: Any, field: Path) -> None:
    status, data = await rest.call(method, path, at)
    assert 200 <= status < 300, data
    status, data = await rest.call(method, path, past)
    assert refused(status, data, field), (status, data)


# --- every route that carries a message -------------------------------------------------------

Target = Callable[[Rest, Program], Awaitable[tuple[str, str, Path]]]


async def _posted(rest: Rest, program: Program) -> int:
    status, data = await rest.call(
        "POST", f"/channels/{program.general.id}/messages", {"content": "posted"}
    )
    assert status == 200, data
    return int(data["id"])


async def create_message(rest: Rest, program: Program) -> tuple[str, str, Path]:
    return "POST", f"/channels/{program.general.id}/messages", ()


async def edit_message(rest: Rest, program: Program) -> tuple[str, str, Path]:
    message_id = await _posted(rest, program)
    return "PATCH", f"/channels/{program.general.id}/messages/{message_id}", ()


async def respond_with_message(rest: Rest, program: Program) -> tuple[str, str, Path]:
    return "POST", rest.interaction(COMMAND, program.bob, program.general), ("data",)


async def update_message(rest: Rest, program: Program) -> tuple[str, str, Path]:
    message = rest.emu.world.messages[await _posted(rest, program)]
    return "POST", rest.interaction(COMPONENT, program.bob, program.general, message), ("data",)


async def _answered(rest: Rest, program: Program, kind: int) -> str:
    callback = rest.interaction(COMMAND, program.bob, program.general)
    body = {"type": kind, "data": {"content": "working on it"} if kind == 4 else {}}
    status, data = await rest.call("POST", callback, body)
    assert status == 200, data
    return rest.webhook(callback)


async def followup(rest: Rest, program: Program) -> tuple[str, str, Path]:
    return "POST", await _answered(rest, program, 4), ()


async def followup_after_defer(rest: Rest, program: Program) -> tuple[str, str, Path]:
    return "POST", await _answered(rest, program, 5), ()


async def edit_original(rest: Rest, program: Program) -> tuple[str, str, Path]:
    return "PATCH", await _answered(rest, program, 4) + "/messages/@original", ()


SURFACES: list[Target] = [
    create_message,
    edit_message,
    respond_with_message,
    update_message,
    followup,
    followup_after_defer,
    edit_original,
]
ROW = {"type": 1, "components": [{"type": 2, "style": 1, "label": "b", "custom_id": "b"}]}
SELECT = {"type": 3, "custom_id": "s", "options": [{"label": "a", "value": "a"}]}
BODY_LIMITS = [
    ("content", {"content": "x" * 2000}, {"content": "x" * 2001}, ("content",)),
    (
        "embed total",
        {"embeds": [{"description": "d" * 4000}, {"description": "d" * 2000}]},
        {"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]},
        ("embeds",),
    ),
    (
        "row width",
        {"content": "c", "components": [ROW, {"type": 1, "components": [SELECT]}]},
        {"content": "c", "components": [{"type": 1, "components": [*ROW["components"], SELECT]}]},
        ("components", 0, "components", 1),
    ),
]


@pytest.mark.parametrize("limit", BODY_LIMITS, ids=lambda limit: limit[0])
@pytest.mark.parametrize("surface", SURFACES, ids=lambda surface: surface.__name__)
async def test_every_message_route_enforces_the_limits(
    rest: Rest, program: Program, surface: Target, limit: tuple[Any, ...]
) -> None:
    _, at, past, field = limit
    for body, accepted in ((at, True), (past, False)):
        method, path, prefix = await surface(rest, program)
        if prefix:  # an interaction callback: the message is its `data`
            kind = 7 if surface is update_message else 4
            body = {"type": kind, "data": body}
        status, data = await rest.call(method, path, body)
        if accepted:
            assert 200 <= status < 300, data
        else:
            assert refused(status, data, (*prefix, *field)), (status, data)


async def test_a_multipart_upload_checks_its_payload_json(rest: Rest, program: Program) -> None:
    path = f"/channels/{program.general.id}/messages"
    files = {"notes.txt": b"session notes"}
    at = {"content": "x" * 2000, "attachments": [{"id": 0, "filename": "notes.txt"}]}
    status, data = await rest.call("POST", path, at, files=files)
    assert status == 200, data
    assert data["attachments"][0]["filename"] == "notes.txt"
    past = {**at, "embeds": [{"title": "t" * 257}]}
    status, data = await rest.call("POST", path, past, files=files)
    assert refused(status, data, ("embeds", 0, "title")), (status, data)


async def test_discord_py_sees_discords_error_text(bot: ProbeBot, program: Program) -> None:
    channel = bot.get_channel(program.general.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send(embed=discord.Embed(title="t" * 256))
    with pytest.raises(discord.HTTPException) as raised:
        await channel.send(embed=discord.Embed(title="t" * 257))
    assert (raised.value.status, raised.value.code) == (400, 50035)
    assert "In embeds.0.title: Must be 256 or fewer in length." in raised.value.text

    view = discord.ui.View()
    view.add_item(
        discord.ui.Select(
            custom_id="mood",
            max_values=3,
            options=[discord.SelectOption(label=str(i)) for i in range(2)],
        )
    )
    with pytest.raises(discord.HTTPException) as raised:
        await channel.send("How are you?", view=view)
    assert "In components.0.components.0.max_values" in raised.value.text


# --- application commands ----------------------------------------------------------------------


def command(**fields: Any) -> dict[str, Any]:
    return {"name": "checkin", "description": "Check in", "type": 1, **fields}


def string_option(name: str = "mood", **fields: Any) -> dict[str, Any]:
    return {"type": 3, "name": name, "description": "How you feel", **fields}


def option_names(count: int) -> list[dict[str, Any]]:
    return [string_option(f"o{i}") for i in range(count)]


def choice_list(count: int, name: str = "c", value: str = "v") -> list[dict[str, Any]]:
    return [{"name": name, "value": value} for _ in range(count)]


def sized_command(size: int) -> dict[str, Any]:
    """A command whose name, descriptions and choices add up to `size` characters."""
    options = [
        string_option(f"o{i:02d}" + "x" * 29, description="d" * 100) for i in range(25)
    ]  # 25 * 132 = 3300
    options[0]["choices"] = choice_list(3, name="n" * 100, value="v" * 100)  # 600
    base = 3300 + 600 + len("sized")
    return {"name": "sized", "description": "d" * (size - base), "options": options}


COMMAND_LIMITS = [
    ("name 32", command(name="n" * 32), command(name="n" * 33), ("name",)),
    ("name lowercase", command(name="check-in"), command(name="Check-In"), ("name",)),
    (
        "description 100",
        command(description="d" * 100),
        command(description="d" * 101),
        ("description",),
    ),
    ("description not empty", command(description="d"), command(description=""), ("description",)),
    (
        "25 options",
        command(options=option_names(25)),
        command(options=option_names(26)),
        ("options",),
    ),
    (
        "option name 32",
        command(options=[string_option("o" * 32)]),
        command(options=[string_option("o" * 33)]),
        ("options", 0, "name"),
    ),
    (
        "option description 100",
        command(options=[string_option(description="d" * 100)]),
        command(options=[string_option(description="d" * 101)]),
        ("options", 0, "description"),
    ),
    (
        "25 choices",
        command(options=[string_option(choices=choice_list(25))]),
        command(options=[string_option(choices=choice_list(26))]),
        ("options", 0, "choices"),
    ),
    (
        "choice name 100",
        command(options=[string_option(choices=choice_list(1, name="n" * 100))]),
        command(options=[string_option(choices=choice_list(1, name="n" * 101))]),
        ("options", 0, "choices", 0, "name"),
    ),
    (
        "choice string value 100",
        command(options=[string_option(choices=choice_list(1, value="v" * 100))]),
        command(options=[string_option(choices=choice_list(1, value="v" * 101))]),
        ("options", 0, "choices", 0, "value"),
    ),
    ("4000 characters a command", sized_command(4000), sized_command(4001), ()),
]


@pytest.mark.parametrize("limit", COMMAND_LIMITS, ids=lambda limit: limit[0])
async def test_command_limit(rest: Rest, limit: tuple[Any, ...]) -> None:
    _, at, past, field = limit
    app = rest.emu.world.application_id
    await at_and_past(rest, "PUT", f"/applications/{app}/commands", [at], [past], (0, *field))
    await at_and_past(rest, "POST", f"/applications/{app}/commands", at, past, field)


async def test_at_most_100_global_chat_input_commands(rest: Rest) -> None:
    path = f"/applications/{rest.emu.world.application_id}/commands"
    hundred = [command(name=f"c{i}") for i in range(100)]
    await at_and_past(rest, "PUT", path, hundred, [*hundred, command(name="c100")], ())
    status, data = await rest.call("PUT", path, hundred)
    assert status == 200, data
    status, data = await rest.call("POST", path, command(name="c100"))
    assert (status, data["code"]) == (400, 30032)
    status, data = await rest.call("POST", path, command(name="c99", description="renamed"))
    assert status == 200, data  # an update of an existing one is not a 101st


# --- names on create and edit --------------------------------------------------------------------


def _event(**fields: Any) -> dict[str, Any]:
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    return {
        "name": "Group session",
        "privacy_level": 2,
        "entity_type": 3,
        "entity_metadata": {"location": "Room 4"},
        "scheduled_start_time": start.isoformat(),
        "scheduled_end_time": (start + dt.timedelta(hours=1)).isoformat(),
        **fields,
    }


async def test_channel_name_1_to_100_on_create_and_edit(rest: Rest, program: Program) -> None:
    create = f"/guilds/{program.guild.id}/channels"
    await at_and_past(rest, "POST", create, {"name": "n" * 100}, {"name": "n" * 101}, ("name",))
    await at_and_past(rest, "POST", create, {"name": "n"}, {"name": ""}, ("name",))
    edit = f"/channels/{program.general.id}"
    await at_and_past(rest, "PATCH", edit, {"name": "n" * 100}, {"name": "n" * 101}, ("name",))
    await at_and_past(rest, "PATCH", edit, {"name": "n"}, {"name": ""}, ("name",))


async def test_channel_topic_1024_on_create_and_edit(rest: Rest, program: Program) -> None:
    create = f"/guilds/{program.guild.id}/channels"
    at, past = {"name": "t", "topic": "t" * 1024}, {"name": "t", "topic": "t" * 1025}
    await at_and_past(rest, "POST", create, at, past, ("topic",))
    edit = f"/channels/{program.general.id}"
    await at_and_past(rest, "PATCH", edit, {"topic": "t" * 1024}, {"topic": "t" * 1025}, ("topic",))
    forum = {"name": "f", "type": 15, "topic": "t" * 4096}
    status, data = await rest.call("POST", create, forum)
    assert status == 200, data  # a forum's guidelines may be 4096


async def test_thread_name_1_to_100_on_create_and_edit(rest: Rest, program: Program) -> None:
    create = f"/channels/{program.general.id}/threads"
    at, past = {"name": "n" * 100, "type": 11}, {"name": "n" * 101, "type": 11}
    await at_and_past(rest, "POST", create, at, past, ("name",))
    thread = next(c for c in program.guild.channels.values() if c.is_thread)
    edit = f"/channels/{thread.id}"
    await at_and_past(rest, "PATCH", edit, {"name": "n" * 100}, {"name": "n" * 101}, ("name",))
    await at_and_past(rest, "PATCH", edit, {"name": "n"}, {"name": ""}, ("name",))


async def test_role_name_100_on_create_and_edit(rest: Rest, program: Program) -> None:
    create = f"/guilds/{program.guild.id}/roles"
    await at_and_past(rest, "POST", create, {"name": "r" * 100}, {"name": "r" * 101}, ("name",))
    role = next(r for r in program.guild.roles.values() if r.name == "r" * 100)
    edit = f"/guilds/{program.guild.id}/roles/{role.id}"
    await at_and_past(rest, "PATCH", edit, {"name": "r" * 100}, {"name": "r" * 101}, ("name",))


@pytest.mark.parametrize(
    ("key", "at", "past"),
    [("name", "n" * 100, "n" * 101), ("name", "n", ""), ("description", "d" * 1000, "d" * 1001)],
    ids=["name 100", "name not empty", "description 1000"],
)
async def test_event_name_and_description_on_create_and_edit(
    rest: Rest, program: Program, key: str, at: str, past: str
) -> None:
    create = f"/guilds/{program.guild.id}/scheduled-events"
    await at_and_past(rest, "POST", create, _event(**{key: at}), _event(**{key: past}), (key,))
    event = next(iter(program.guild.scheduled_events.values()))
    edit = f"{create}/{event.id}"
    await at_and_past(rest, "PATCH", edit, {key: at}, {key: past}, (key,))


# --- server caps ---------------------------------------------------------------------------------


def non_thread_channels(program: Program) -> int:
    return sum(1 for c in program.guild.channels.values() if not c.is_thread)


async def test_500_channels_a_server_and_threads_do_not_count(
    emu: Emulator, rest: Rest, program: Program
) -> None:
    while non_thread_channels(program) < 499:
        emu.create_channel(program.guild, f"room-{non_thread_channels(program)}")
    create = f"/guilds/{program.guild.id}/channels"
    status, data = await rest.call("POST", create, {"name": "the-500th"})
    assert status == 200, data
    status, data = await rest.call("POST", create, {"name": "the-501st", "type": 4})
    assert (status, data["code"]) == (400, 30013), data
    assert data["message"] == "Maximum number of guild channels reached (500)"
    status, data = await rest.call(
        "POST", f"/channels/{program.general.id}/threads", {"name": "still fine", "type": 11}
    )
    assert status == 201, data


async def test_50_channels_a_category(emu: Emulator, rest: Rest, program: Program) -> None:
    category = emu.create_channel(program.guild, "cohort-a", kind="category")
    for index in range(49):
        emu.create_channel(program.guild, f"room-{index}", parent=category)
    create = f"/guilds/{program.guild.id}/channels"
    body = {"name": "the-50th", "parent_id": str(category.id)}
    status, data = await rest.call("POST", create, body)
    assert status == 200, data
    status, data = await rest.call("POST", create, {**body, "name": "the-51st"})
    assert refused(status, data, ("parent_id",)), data
    assert named(data["errors"], ("parent_id",)) == ["CHANNEL_PARENT_MAX_CHANNELS"]
    move = {"parent_id": str(category.id)}
    status, data = await rest.call("PATCH", f"/channels/{program.general.id}", move)
    assert refused(status, data, ("parent_id",)), data


async def test_250_roles_a_server(emu: Emulator, rest: Rest, program: Program) -> None:
    def roles() -> int:
        return sum(1 for r in program.guild.roles.values() if not r.is_everyone)

    while roles() < 249:
        emu.create_role(program.guild, f"role-{roles()}")
    create = f"/guilds/{program.guild.id}/roles"
    status, data = await rest.call("POST", create, {"name": "the-250th"})
    assert status == 200, data
    status, data = await rest.call("POST", create, {"name": "the-251st"})
    assert (status, data["code"]) == (400, 30005), data


async def test_1000_active_threads_a_server(emu: Emulator, rest: Rest, program: Program) -> None:
    for index in range(999):
        emu.create_thread(program.general, f"t{index}", owner=program.alice)
    create = f"/channels/{program.general.id}/threads"
    status, data = await rest.call("POST", create, {"name": "the-1000th", "type": 11})
    assert status == 201, data
    status, data = await rest.call("POST", create, {"name": "the-1001st", "type": 11})
    assert (status, data["code"]) == (400, 160006), data
