"""Application commands: bulk overwrite (what `tree.sync()` does), list, single CRUD.

Validated like Discord: the spec's lengths and counts (`openapi.py`: names 1-32, 25 options,
25 choices, choice names 1-100 and string values <= 100), then (`limits.py`) names of
lowercase letters, digits, dashes and underscores, a 1-100 character description (chat
input), unique option names with required ones first, groups holding only subcommands and
subcommands holding only values, 4000 characters per command, 100 chat-input commands.
A bulk overwrite is checked whole before anything changes.
A re-synced command keeps its id. `default_member_permissions` is recorded as sent (the
emulator does not hide commands by it: Lantern checks authorisation itself).
"""

from __future__ import annotations

from typing import Any

from emulator import limits, payloads
from emulator.access import guild_or_404
from emulator.errors import FieldPath, form_errors, invalid_form, missing_access, unknown
from emulator.model import AppCommand
from emulator.server import ApiRequest, Reply, RouteTable
from emulator.state import World

routes = RouteTable()
CHAT_INPUT = 1


def _validate(body: dict[str, Any], prefix: tuple[int, ...] = ()) -> None:
    """Discord's rules beyond the spec's lengths and counts (see `limits`)."""
    kind = int(body.get("type") or CHAT_INPUT)
    name = str(body.get("name") or "")
    problems: list[tuple[FieldPath, str, str]] = []
    if kind == CHAT_INPUT:
        if not limits.valid_name(name):
            message = "Command name is invalid"
            problems.append(((*prefix, "name"), "APPLICATION_COMMAND_INVALID_NAME", message))
        if not 1 <= len(str(body.get("description") or "")) <= 100:
            message = "Must be between 1 and 100 in length."
            problems.append(((*prefix, "description"), "BASE_TYPE_BAD_LENGTH", message))
        problems += limits.option_problems(body.get("options") or [], (*prefix, "options"))
    elif not 1 <= len(name) <= 32:
        problems.append(
            ((*prefix, "name"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
        )
    if problems:
        raise form_errors(problems)
    limits.check_command_size(body, prefix)


def _upsert(
    world: World, guild_id: int | None, body: dict[str, Any], existing: AppCommand | None = None
) -> tuple[AppCommand, bool]:
    """Create or update a command from a body already `_validate`d."""
    kind = int(body.get("type") or CHAT_INPUT)
    existing = existing or next(
        (
            c
            for c in world.commands.values()
            if c.guild_id == guild_id and c.name == body["name"] and c.type == kind
        ),
        None,
    )
    command = existing or AppCommand(
        id=world.ids.next(),
        application_id=world.application_id,
        name=body["name"],
        type=kind,
        description="",
        guild_id=guild_id,
    )
    command.name = str(body["name"])
    command.description = str(body.get("description") or "")
    command.options = list(body.get("options") or [])
    dmp = body.get("default_member_permissions")
    command.default_member_permissions = None if dmp is None else str(dmp)
    command.contexts = body.get("contexts")
    command.integration_types = body.get("integration_types")
    command.nsfw = bool(body.get("nsfw"))
    command.version = world.ids.next()
    command.raw = {k: v for k, v in body.items() if k not in ("id", "application_id")}
    world.commands[command.id] = command
    return command, existing is None


def _overwrite(req: ApiRequest, guild_id: int | None, body: list[dict[str, Any]]) -> list[Any]:
    world = req.world
    seen: set[tuple[str, int]] = set()
    limits.check_command_count(body)
    for index, item in enumerate(body):
        key = (str(item.get("name")), int(item.get("type") or CHAT_INPUT))
        if key in seen:
            raise invalid_form("Application command names must be unique", "name")
        seen.add(key)
        _validate(item, (index,))  # all of them before anything changes
    keep = set()
    for item in body:
        command, _ = _upsert(world, guild_id, item)
        keep.add(command.id)
    for command in list(world.commands.values()):
        if command.guild_id == guild_id and command.id not in keep:
            del world.commands[command.id]
    world.touch()
    return [payloads.command(world.commands[c]) for c in keep]


def _check_room(world: World, guild_id: int | None, body: dict[str, Any]) -> None:
    """30032 when a new chat-input command would be the 101st in its scope."""
    kind = int(body.get("type") or CHAT_INPUT)
    same = [c for c in world.commands.values() if c.guild_id == guild_id and c.type == kind]
    is_new = all(c.name != body.get("name") for c in same)
    if kind == CHAT_INPUT and is_new and len(same) >= limits.CHAT_INPUT_COMMANDS:
        raise limits.too_many_commands()


def _scope(req: ApiRequest) -> int | None:
    if req.id("application_id") != req.world.application_id:
        raise missing_access("wrong application id")
    if "guild_id" in req.match:
        return guild_or_404(req.world, req.id("guild_id")).id
    return None


def _listed(world: World, guild_id: int | None) -> list[Any]:
    return [payloads.command(c) for c in world.commands.values() if c.guild_id == guild_id]


def _one(req: ApiRequest, guild_id: int | None) -> AppCommand:
    command = req.world.commands.get(req.id("command_id"))
    if command is None or command.guild_id != guild_id:
        raise unknown("command")
    return command


for _base in ("/applications/{application_id}", "/applications/{application_id}/guilds/{guild_id}"):

    @routes("GET", _base + "/commands")
    async def list_commands(req: ApiRequest) -> Any:
        return _listed(req.world, _scope(req))

    @routes("PUT", _base + "/commands")
    async def bulk_overwrite(req: ApiRequest) -> Any:
        scope = _scope(req)
        return _overwrite(req, scope, await req.body())

    @routes("POST", _base + "/commands")
    async def upsert_command(req: ApiRequest) -> Any:
        scope = _scope(req)
        body = await req.body()
        _validate(body)
        _check_room(req.world, scope, body)
        command, created = _upsert(req.world, scope, body)
        return Reply(payloads.command(command), 201 if created else 200)

    @routes("GET", _base + "/commands/{command_id}")
    async def get_command(req: ApiRequest) -> Any:
        return payloads.command(_one(req, _scope(req)))

    @routes("PATCH", _base + "/commands/{command_id}")
    async def edit_command(req: ApiRequest) -> Any:
        scope = _scope(req)
        command = _one(req, scope)
        body = {**command.raw, **(await req.body())}
        _validate(body)
        updated, _ = _upsert(req.world, scope, body, existing=command)
        return payloads.command(updated)

    @routes("DELETE", _base + "/commands/{command_id}")
    async def delete_command(req: ApiRequest) -> Any:
        command = _one(req, _scope(req))
        del req.world.commands[command.id]
        return None


@routes("GET", "/applications/{application_id}/guilds/{guild_id}/commands/permissions")
async def command_permissions(req: ApiRequest) -> Any:
    _scope(req)
    return []
