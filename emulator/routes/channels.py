"""Guild channels: create, read, edit, delete, and permission overwrites.

Rules: MANAGE_CHANNELS to create/edit/delete (in the category for a channel inside one);
MANAGE_ROLES to set overwrites, and only permissions the bot has may be allowed or denied;
only administrators may put MANAGE_ROLES itself in an overwrite. A channel created in a
category without overwrites copies the category's. Threads: MANAGE_THREADS (or be the
thread's owner) to edit, MANAGE_THREADS to delete or lock. Limits: names 1-100 and the
spec's other lengths on create and edit (a thread's PATCH is checked as a thread's), topics
of 1,024 characters (4,096 in forums), 500 channels per server (threads not counted: they
have their own cap) answered 30013, 50 per category answered 50035 on `parent_id`.
"""

from __future__ import annotations

from typing import Any

from emulator import limits, payloads
from emulator.access import (
    bot_channel,
    bot_guild_perms,
    guild_or_404,
    require,
    require_grantable,
)
from emulator.building import delete_channel as delete_channel_tree
from emulator.errors import ApiError, invalid_form, missing_permissions, unknown
from emulator.model import CATEGORY, CHANNEL_KINDS, DM, Channel, Guild, Overwrite
from emulator.permissions import ALL, P
from emulator.server import ApiRequest, RouteTable

routes = RouteTable()
GUILD_CHANNEL_TYPES = frozenset(CHANNEL_KINDS.values()) | {5, 13}


def parse_overwrites(guild: Guild, raw: list[dict[str, Any]]) -> dict[int, Overwrite]:
    parsed: dict[int, Overwrite] = {}
    for item in raw:
        target, kind = int(item["id"]), int(item.get("type", 0))
        if kind == 0 and target not in guild.roles:
            raise invalid_form(f"Unknown role {target}", "permission_overwrites")
        if kind == 1 and target not in guild.members:
            raise invalid_form(f"Unknown member {target}", "permission_overwrites")
        if kind not in (0, 1):
            raise invalid_form("type must be 0 or 1", "permission_overwrites")
        parsed[target] = Overwrite(
            target, kind, int(item.get("allow") or 0), int(item.get("deny") or 0)
        )
    return parsed


def check_overwrite_rights(held: int, overwrites: list[Overwrite], action: str) -> None:
    require(held, P.MANAGE_ROLES, action)
    requested = 0
    for overwrite in overwrites:
        requested |= overwrite.allow | overwrite.deny
    if requested & P.MANAGE_ROLES and held != ALL:
        raise missing_permissions(
            f"{action}: only administrators may set MANAGE_ROLES in overwrites"
        )
    require_grantable(held, requested, action)


@routes("GET", "/guilds/{guild_id}/channels")
async def list_channels(req: ApiRequest) -> Any:
    guild = guild_or_404(req.world, req.id("guild_id"))
    return [payloads.channel(req.world, c) for c in guild.channels.values() if not c.is_thread]


@routes("POST", "/guilds/{guild_id}/channels")
async def create_channel(req: ApiRequest) -> Any:
    world = req.world
    guild = guild_or_404(world, req.id("guild_id"))
    _, guild_bits = bot_guild_perms(world, guild)
    body = await req.body()
    kind = int(body.get("type") or 0)
    if kind not in GUILD_CHANNEL_TYPES:
        raise invalid_form("Value must be one of the guild channel types.", "type")
    name = str(body.get("name") or "")
    if not 1 <= len(name) <= 100:
        raise invalid_form("Must be between 1 and 100 in length.", "name")
    limits.check_topic(kind, body.get("topic"))
    parent = None
    held = guild_bits
    if body.get("parent_id"):
        parent = guild.channels.get(int(body["parent_id"]))
        if parent is None or parent.type != CATEGORY or kind == CATEGORY:
            raise invalid_form("Invalid parent category", "parent_id")
        held = bot_channel(world, parent.id)[1] if guild_bits != ALL else ALL
    require(held, P.MANAGE_CHANNELS, f"creating channel {name!r}")
    limits.check_room_for_channel(
        _channel_count(guild), _children(guild, parent.id) if parent else None
    )
    raw_overwrites = body.get("permission_overwrites")
    if raw_overwrites:
        overwrites = parse_overwrites(guild, raw_overwrites)
        check_overwrite_rights(guild_bits, list(overwrites.values()), f"creating {name!r}")
    elif parent is not None:
        overwrites = {
            k: Overwrite(o.id, o.type, o.allow, o.deny) for k, o in parent.overwrites.items()
        }
    else:
        overwrites = {}
    siblings = [c.position for c in guild.channels.values() if not c.is_thread]
    channel = Channel(
        id=world.ids.next(),
        type=kind,
        name=name,
        guild_id=guild.id,
        position=int(body.get("position") or (max(siblings, default=-1) + 1)),
        parent_id=parent.id if parent else None,
        topic=body.get("topic"),
        nsfw=bool(body.get("nsfw")),
        rate_limit_per_user=int(body.get("rate_limit_per_user") or 0),
        overwrites=overwrites,
    )
    world.add_channel(channel)
    req.events.channel_event("CHANNEL_CREATE", channel)
    return payloads.channel(world, channel)


@routes("GET", "/channels/{channel_id}")
async def get_channel(req: ApiRequest) -> Any:
    channel, _ = bot_channel(req.world, req.id("channel_id"))
    return payloads.channel(req.world, channel, member_of=req.world.bot.id)


@routes("PATCH", "/channels/{channel_id}")
async def edit_channel(req: ApiRequest) -> Any:
    world = req.world
    channel, bits = bot_channel(world, req.id("channel_id"))
    if channel.is_thread:
        body = await req.body(schema="UpdateThreadRequestPartial")
    elif channel.type == DM:
        body = await req.body(schema="UpdateDMRequestPartial")
    else:
        body = await req.body(schema="UpdateGuildChannelRequestPartial")
        limits.check_topic(channel.type, body.get("topic"))
    if channel.type == DM:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    if channel.is_thread:
        _edit_thread(channel, bits, body, is_owner=channel.owner_id == world.bot.id)
    else:
        require(bits, P.MANAGE_CHANNELS, f"editing #{channel.name}")
        _edit_guild_channel(req, channel, bits, body)
    req.events.channel_event("CHANNEL_UPDATE", channel)
    return payloads.channel(world, channel, member_of=world.bot.id)


def _edit_thread(channel: Channel, bits: int, body: dict[str, Any], *, is_owner: bool) -> None:
    if not (is_owner or bits & P.MANAGE_THREADS):
        raise missing_permissions(f"editing thread {channel.name!r} needs MANAGE_THREADS")
    if "locked" in body and body["locked"] != channel.locked:
        require(bits, P.MANAGE_THREADS, "locking a thread")
    for key in ("name", "archived", "locked", "invitable", "auto_archive_duration"):
        if key in body and body[key] is not None:
            setattr(channel, key, body[key])
    if "rate_limit_per_user" in body:
        channel.rate_limit_per_user = int(body["rate_limit_per_user"] or 0)


def _edit_guild_channel(req: ApiRequest, channel: Channel, bits: int, body: dict[str, Any]) -> None:
    guild = req.world.guilds[channel.guild_id or 0]
    if "permission_overwrites" in body:
        overwrites = parse_overwrites(guild, body["permission_overwrites"] or [])
        check_overwrite_rights(bits, list(overwrites.values()), f"editing #{channel.name}")
        channel.overwrites = overwrites
    if "parent_id" in body:
        parent_id = body["parent_id"]
        if parent_id is not None:
            parent = guild.channels.get(int(parent_id))
            if parent is None or parent.type != CATEGORY:
                raise invalid_form("Invalid parent category", "parent_id")
            if parent.id != channel.parent_id:
                limits.check_room_for_channel(0, _children(guild, parent.id))
        channel.parent_id = int(parent_id) if parent_id else None
    for key in ("name", "topic", "position", "nsfw", "rate_limit_per_user"):
        if key in body and body[key] is not None:
            setattr(channel, key, body[key])


def _channel_count(guild: Guild) -> int:
    """Channels toward Discord's 500: categories and channels; threads have their own cap."""
    return sum(1 for c in guild.channels.values() if not c.is_thread)


def _children(guild: Guild, category_id: int) -> int:
    return sum(1 for c in guild.channels.values() if c.parent_id == category_id and not c.is_thread)


@routes("DELETE", "/channels/{channel_id}")
async def delete_channel(req: ApiRequest) -> Any:
    world = req.world
    channel, bits = bot_channel(world, req.id("channel_id"))
    data = payloads.channel(world, channel)
    if channel.type == DM:
        return data
    if channel.is_thread:
        require(bits, P.MANAGE_THREADS, f"deleting thread {channel.name!r}")
    else:
        require(bits, P.MANAGE_CHANNELS, f"deleting #{channel.name}")
    delete_channel_tree(world, req.events, channel)
    return data


@routes("PUT", "/channels/{channel_id}/permissions/{target}")
async def put_overwrite(req: ApiRequest) -> Any:
    world = req.world
    channel, bits = bot_channel(world, req.id("channel_id"))
    if channel.guild_id is None or channel.is_thread:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    guild = world.guilds[channel.guild_id]
    body = await req.body()
    target = req.id("target")
    kind = int(body.get("type", 0))
    if kind == 0 and target not in guild.roles:
        raise unknown("role")
    if kind == 1 and target not in guild.members:
        raise unknown("member")
    overwrite = Overwrite(target, kind, int(body.get("allow") or 0), int(body.get("deny") or 0))
    check_overwrite_rights(bits, [overwrite], f"editing overwrites of #{channel.name}")
    channel.overwrites[target] = overwrite
    req.events.channel_event("CHANNEL_UPDATE", channel)
    return None


@routes("DELETE", "/channels/{channel_id}/permissions/{target}")
async def delete_overwrite(req: ApiRequest) -> Any:
    world = req.world
    channel, bits = bot_channel(world, req.id("channel_id"))
    require(bits, P.MANAGE_ROLES, f"deleting an overwrite in #{channel.name}")
    if channel.overwrites.pop(req.id("target"), None) is not None:
        req.events.channel_event("CHANNEL_UPDATE", channel)
    return None
