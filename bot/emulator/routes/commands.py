"""Application commands: bulk overwrite (what `tree.sync()` does), list, single CRUD.

Validated like Discord: names 1-32 lowercase word characters or dashes (chat input), a
1-100 character description, at most 25 options with required ones first, unique names,
groups holding only subcommands and subcommands holding only values, at most 25 choices.
A re-synced command keeps its id. `default_member_permissions` is recorded as sent (the
emulator does not hide commands by it: Lantern checks authorisation itself).
"""

from __future__ import annotations

import re
from typing import Any

from bot.emulator import payloads
from bot.emulator.access import guild_or_404
from bot.emulator.errors import invalid_form, missing_access, unknown
from bot.emulator.model import AppCommand
from bot.emulator.server import ApiRequest, Reply, RouteTable
from bot.emulator.state import World

routes = RouteTable()
_NAME = re.compile(r"^[-_\w]{1,32}$")
CHAT_INPUT, SUBCOMMAND, GROUP = 1, 1, 2


def _check_options(options: list[dict[str, Any]], where: str, depth: int = 0) -> None:
    if len(options) > 25:
        raise invalid_form(f"{where}: Must be 25 or fewer in length.", "options")
    names: set[str] = set()
    seen_optional = False
    for option in options:
        name = str(option.get("name") or "")
        if not _NAME.match(name) or name != name.lower():
            raise invalid_form(f"{where}: invalid option name {name!r}", "options.name")
        if name in names:
            raise invalid_form(f"{where}: duplicate option {name!r}", "options.name")
        names.add(name)
        if not 1 <= len(str(option.get("description") or "")) <= 100:
            raise invalid_form(f"{where}.{name}: description must be 1-100 characters", "options")
        kind = int(option.get("type") or 0)
        children = option.get("options") or []
        if kind == GROUP:
            if depth > 0 or any(int(c.get("type") or 0) != SUBCOMMAND for c in children):
                raise invalid_form(f"{where}.{name}: a group holds only subcommands", "options")
            _check_options(children, f"{where} {name}", depth + 1)
        elif kind == SUBCOMMAND:
            if depth > 1 or any(int(c.get("type") or 0) in (SUBCOMMAND, GROUP) for c in children):
                raise invalid_form(f"{where}.{name}: subcommands hold only values", "options")
            _check_options(children, f"{where} {name}", depth + 1)
        else:
            if option.get("required"):
                if seen_optional:
                    raise invalid_form(f"{where}: required options must come first", "options")
            else:
                seen_optional = True
            if len(option.get("choices") or []) > 25:
                raise invalid_form(f"{where}.{name}: at most 25 choices", "options.choices")


def _validate(body: dict[str, Any]) -> None:
    kind = int(body.get("type") or CHAT_INPUT)
    name = str(body.get("name") or "")
    if kind == CHAT_INPUT:
        if not _NAME.match(name) or name != name.lower():
            raise invalid_form(f"invalid command name {name!r}", "name")
        if not 1 <= len(str(body.get("description") or "")) <= 100:
            raise invalid_form(f"/{name}: description must be 1-100 characters", "description")
        _check_options(body.get("options") or [], f"/{name}")
    elif not 1 <= len(name) <= 32:
        raise invalid_form("Must be between 1 and 32 in length.", "name")


def _upsert(
    world: World, guild_id: int | None, body: dict[str, Any], existing: AppCommand | None = None
) -> tuple[AppCommand, bool]:
    _validate(body)
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
    for item in body:
        key = (str(item.get("name")), int(item.get("type") or CHAT_INPUT))
        if key in seen:
            raise invalid_form("Application command names must be unique", "name")
        seen.add(key)
    keep = set()
    for item in body:
        command, _ = _upsert(world, guild_id, item)
        keep.add(command.id)
    for command in list(world.commands.values()):
        if command.guild_id == guild_id and command.id not in keep:
            del world.commands[command.id]
    world.touch()
    return [payloads.command(world.commands[c]) for c in keep]


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
        command, created = _upsert(req.world, scope, await req.body())
        return Reply(payloads.command(command), 201 if created else 200)

    @routes("GET", _base + "/commands/{command_id}")
    async def get_command(req: ApiRequest) -> Any:
        return payloads.command(_one(req, _scope(req)))

    @routes("PATCH", _base + "/commands/{command_id}")
    async def edit_command(req: ApiRequest) -> Any:
        scope = _scope(req)
        command = _one(req, scope)
        body = {**command.raw, **(await req.body())}
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
