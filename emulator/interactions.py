"""The interactions emulated people trigger, built from what the bot synced and sent.

Slash commands are built from the synced schema (groups, subcommands, typed options with
`resolved` users/members/roles/channels/attachments), so a test cannot invoke a command or
pass an option the bot never registered. Component interactions name the message id the
emulator returned when the view's message was created (pitfall 7). Every payload carries
what discord.py 2.7 reads: `app_permissions`, `entitlements`, `authorizing_integration_owners`,
`context`, `locale`, `guild_locale`, `attachment_size_limit`, `version` (pitfall 8).
"""

from __future__ import annotations

import secrets
from typing import Any

from emulator import payloads
from emulator.access import perms_in
from emulator.errors import DriverError
from emulator.model import (
    AppCommand,
    Attachment,
    Channel,
    Interaction,
    Message,
    Role,
    User,
    walk_components,
)
from emulator.results import ModalForm
from emulator.server import Config
from emulator.state import World

STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)
SELECT_TYPES = {3, 5, 6, 7, 8}


# --- building interactions -------------------------------------------------------------------


def new_interaction(
    world: World,
    config: Config,
    *,
    type: int,
    user: User,
    channel: Channel,
    data: dict[str, Any],
    name: str = "",
    message: Message | None = None,
) -> Interaction:
    inter = Interaction(
        id=world.ids.next(),
        token=f"emu-{secrets.token_urlsafe(24)}",
        type=type,
        user=user,
        channel_id=channel.id,
        guild_id=channel.guild_id,
        data=data,
        created_at=world.clock.time(),
        name=name,
        message_id=message.id if message else None,
    )
    inter.payload = _payload(world, config, inter, channel, message)
    world.interactions[inter.id] = inter
    world.tokens[inter.token] = inter
    return inter


def _payload(
    world: World, config: Config, inter: Interaction, channel: Channel, message: Message | None
) -> dict[str, Any]:
    user_perms = perms_in(world, inter.user.id, channel)
    data: dict[str, Any] = {
        "id": str(inter.id),
        "application_id": str(world.application_id),
        "type": inter.type,
        "data": inter.data,
        "token": inter.token,
        "version": 1,
        "channel_id": str(channel.id),
        "channel": {**payloads.channel(world, channel), "permissions": str(user_perms)},
        "app_permissions": str(perms_in(world, world.bot.id, channel)),
        "locale": "en-US",
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": config.attachment_size_limit,
    }
    if channel.guild_id is not None:
        guild = world.guilds[channel.guild_id]
        member = guild.members[inter.user.id]
        data.update(
            guild_id=str(guild.id),
            guild={"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
            guild_locale=guild.preferred_locale,
            member=payloads.member(member, permissions=user_perms),
            context=0,
            authorizing_integration_owners={"0": str(guild.id)},
        )
    else:
        data.update(
            user=payloads.user(inter.user),
            context=1,
            authorizing_integration_owners={"0": "0"},
        )
    if message is not None:
        data["message"] = payloads.message(world, message)
    return data


# --- slash commands --------------------------------------------------------------------------


def resolve_command(
    world: World, channel: Channel, path: str
) -> tuple[AppCommand, list[dict[str, Any]], list[dict[str, Any]]]:
    """Find "/setup server" in what the bot synced: the command, the subcommand chain, and
    the value options the leaf takes."""
    words = path.strip().lstrip("/").split()
    if not words:
        raise DriverError("no command name given")
    commands = [c for c in world.commands_for(channel.guild_id) if c.type == 1]
    command = next((c for c in commands if c.name == words[0]), None)
    if command is None:
        synced = ", ".join(sorted(f"/{c.name}" for c in commands)) or "none"
        raise DriverError(f"/{words[0]} is not synced by the bot (synced here: {synced})")
    chain: list[dict[str, Any]] = []
    options = command.options
    for word in words[1:]:
        found = next((o for o in options if o.get("type") in (1, 2) and o["name"] == word), None)
        if found is None:
            subs = ", ".join(o["name"] for o in options if o.get("type") in (1, 2)) or "none"
            raise DriverError(f"/{' '.join(words)}: no subcommand {word!r} (has: {subs})")
        chain.append(found)
        options = found.get("options") or []
    nested = [o["name"] for o in options if o.get("type") in (1, 2)]
    if nested:
        raise DriverError(f"/{' '.join(words)} needs a subcommand: {', '.join(nested)}")
    return command, chain, options


def command_data(
    world: World,
    channel: Channel,
    user: User,
    command: AppCommand,
    chain: list[dict[str, Any]],
    schema: list[dict[str, Any]],
    values: dict[str, Any],
    *,
    focused: str | None = None,
) -> dict[str, Any]:
    path = " ".join([command.name, *(c["name"] for c in chain)])
    resolved: dict[str, dict[str, Any]] = {}
    by_name = {o["name"]: o for o in schema}
    for name in values:
        if name not in by_name:
            known = ", ".join(by_name) or "none"
            raise DriverError(f"/{path} has no option {name!r} (options: {known})")
    leaf: list[dict[str, Any]] = []
    for option in schema:
        name = option["name"]
        if name == focused:
            if not option.get("autocomplete"):
                raise DriverError(f"/{path} option {name!r} has no autocomplete")
            raw = values.get(name, "")
            leaf.append({"name": name, "type": option["type"], "value": str(raw), "focused": True})
        elif name in values:
            value = _encode(world, channel, user, option, values[name], resolved, path)
            leaf.append({"name": name, "type": option["type"], "value": value})
        elif option.get("required") and focused is None:
            raise DriverError(f"/{path} needs option {name!r}")
    options: list[dict[str, Any]] = leaf
    for link in reversed(chain):
        options = [{"name": link["name"], "type": link["type"], "options": options}]
    data: dict[str, Any] = {
        "id": str(command.id),
        "name": command.name,
        "type": 1,
        "options": options,
    }
    if resolved:
        data["resolved"] = resolved
    if command.guild_id is not None:
        data["guild_id"] = str(command.guild_id)
    return data


def _encode(
    world: World,
    channel: Channel,
    user: User,
    option: dict[str, Any],
    value: Any,
    resolved: dict[str, dict[str, Any]],
    path: str,
) -> Any:
    kind, name = int(option["type"]), option["name"]
    where = f"/{path} option {name!r}"
    if kind in (STRING, INTEGER, NUMBER):
        value = {STRING: str, INTEGER: int, NUMBER: float}[kind](value)
        _check_range(option, value, where)
        return value
    if kind == BOOLEAN:
        return bool(value)
    if kind == ATTACHMENT:
        if not isinstance(value, Attachment):
            raise DriverError(f"{where} takes emulator.file(name, data)")
        resolved.setdefault("attachments", {})[str(value.id)] = payloads.attachment(value)
        return str(value.id)
    if kind == ROLE or (kind == MENTIONABLE and isinstance(value, Role)):
        role = value if isinstance(value, Role) else world.role(channel.guild_id or 0, int(value))
        if role is None:
            raise DriverError(f"{where}: unknown role {value!r}")
        resolved.setdefault("roles", {})[str(role.id)] = payloads.role(role)
        return str(role.id)
    if kind in (USER, MENTIONABLE):
        return resolve_user(world, channel, value, resolved, where)
    if kind == CHANNEL:
        target = value if isinstance(value, Channel) else world.channels.get(int(value))
        if target is None:
            raise DriverError(f"{where}: unknown channel {value!r}")
        allowed = option.get("channel_types")
        if allowed and target.type not in allowed:
            raise DriverError(f"{where} accepts channel types {allowed}, not {target.type}")
        bits = perms_in(world, user.id, target)
        data = {**payloads.channel(world, target), "permissions": str(bits)}
        resolved.setdefault("channels", {})[str(target.id)] = data
        return str(target.id)
    raise DriverError(f"{where}: option type {kind} is not supported")


def resolve_user(
    world: World, channel: Channel, value: Any, resolved: dict[str, dict[str, Any]], where: str
) -> str:
    user_id = int(getattr(value, "id", value))
    target = world.users.get(user_id)
    if target is None:
        raise DriverError(f"{where}: unknown user {value!r}")
    resolved.setdefault("users", {})[str(user_id)] = payloads.user(target)
    member = world.member(channel.guild_id, user_id)
    if member is not None:
        bits = perms_in(world, user_id, channel)
        data = payloads.member(member, with_user=False, permissions=bits)
        resolved.setdefault("members", {})[str(user_id)] = data
    return str(user_id)


def _check_range(option: dict[str, Any], value: Any, where: str) -> None:
    choices = option.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise DriverError(f"{where} must be one of {[c['value'] for c in choices]}, not {value!r}")
    if isinstance(value, str):
        if len(value) < int(option.get("min_length", 0)):
            raise DriverError(f"{where} is shorter than min_length {option['min_length']}")
        if "max_length" in option and len(value) > int(option["max_length"]):
            raise DriverError(f"{where} is longer than max_length {option['max_length']}")
        return
    if "min_value" in option and value < option["min_value"]:
        raise DriverError(f"{where} is below min_value {option['min_value']}")
    if "max_value" in option and value > option["max_value"]:
        raise DriverError(f"{where} is above max_value {option['max_value']}")


def context_menu_data(
    world: World, channel: Channel, name: str, target: Message | User | Any
) -> tuple[AppCommand, dict[str, Any]]:
    """A user (type 2) or message (type 3) context-menu command on `target`."""
    kind = 3 if isinstance(target, Message) else 2
    commands = [c for c in world.commands_for(channel.guild_id) if c.type == kind]
    command = next((c for c in commands if c.name == name), None)
    if command is None:
        synced = ", ".join(sorted(repr(c.name) for c in commands)) or "none"
        what = "message" if kind == 3 else "user"
        raise DriverError(f"{what} command {name!r} is not synced (synced: {synced})")
    resolved: dict[str, dict[str, Any]] = {}
    if isinstance(target, Message):
        resolved["messages"] = {str(target.id): payloads.message(world, target)}
        target_id = str(target.id)
    else:
        target_id = resolve_user(world, channel, target, resolved, f"command {name!r}")
    data: dict[str, Any] = {
        "id": str(command.id),
        "name": command.name,
        "type": kind,
        "target_id": target_id,
        "resolved": resolved,
    }
    if command.guild_id is not None:
        data["guild_id"] = str(command.guild_id)
    return command, data


# --- components and modals -------------------------------------------------------------------


def find_component(message: Message, custom_id: str) -> dict[str, Any]:
    for component in walk_components(message.components):
        if component.get("custom_id") == custom_id:
            if component.get("disabled"):
                raise DriverError(f"component {custom_id!r} is disabled")
            return component
    raise DriverError(
        f"message {message.id} has no component {custom_id!r} (has: {message.custom_ids()})"
    )


def select_data(
    world: World, channel: Channel, component: dict[str, Any], values: list[Any]
) -> dict[str, Any]:
    kind = int(component["type"])
    custom_id = component["custom_id"]
    low, high = int(component.get("min_values", 1)), int(component.get("max_values", 1))
    if not low <= len(values) <= high:
        raise DriverError(f"select {custom_id!r} takes {low} to {high} values, got {len(values)}")
    data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind}
    if kind == 3:
        allowed = [o["value"] for o in component.get("options", [])]
        for value in values:
            if str(value) not in allowed:
                raise DriverError(f"select {custom_id!r} has no option {value!r} (has: {allowed})")
        data["values"] = [str(v) for v in values]
        return data
    resolved: dict[str, dict[str, Any]] = {}
    ids = []
    for value in values:
        if isinstance(value, Role):
            resolved.setdefault("roles", {})[str(value.id)] = payloads.role(value)
            ids.append(str(value.id))
        elif isinstance(value, Channel):
            entry = {**payloads.channel(world, value), "permissions": "0"}
            resolved.setdefault("channels", {})[str(value.id)] = entry
            ids.append(str(value.id))
        else:
            ids.append(resolve_user(world, channel, value, resolved, f"select {custom_id!r}"))
    data.update(values=ids, resolved=resolved)
    return data


def modal_submit_data(form: ModalForm, values: dict[str, Any]) -> dict[str, Any]:
    for custom_id in values:
        if custom_id not in form.fields:
            raise DriverError(
                f"modal {form.custom_id!r} has no field {custom_id!r} (has: {list(form.fields)})"
            )
    return {
        "custom_id": form.custom_id,
        "components": [_submitted(c, values) for c in form.components],
    }


def _submitted(component: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    kind = int(component.get("type", 0))
    if kind == 1:
        return {
            "type": 1,
            "components": [_submitted(c, values) for c in component.get("components", [])],
        }
    if kind == 18:
        return {
            "type": 18,
            "id": component.get("id", 0),
            "component": _submitted(component["component"], values),
        }
    custom_id = component.get("custom_id")
    if custom_id is None:
        return {"type": kind, "id": component.get("id", 0)}
    value = values.get(custom_id)
    out: dict[str, Any] = {"type": kind, "custom_id": custom_id, "id": component.get("id", 0)}
    if kind == 4:
        text = "" if value is None else str(value)
        if component.get("required", True) and not text:
            raise DriverError(f"modal field {custom_id!r} is required")
        if text and len(text) < int(component.get("min_length") or 0):
            raise DriverError(
                f"modal field {custom_id!r} is shorter than {component['min_length']}"
            )
        if len(text) > int(component.get("max_length") or 4000):
            raise DriverError(f"modal field {custom_id!r} is longer than {component['max_length']}")
        out["value"] = text
    elif isinstance(value, list | tuple) or kind in SELECT_TYPES:
        out["values"] = [str(getattr(v, "id", v)) for v in (value or [])]
    else:
        out["value"] = value
    return out
