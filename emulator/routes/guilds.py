"""Guilds, members and roles.

Rules: MANAGE_ROLES to create, edit, delete or assign roles, and only roles below the bot's
highest role (managed roles and @everyone can never be assigned); a role can only carry
permissions the bot has. MANAGE_NICKNAMES for nicknames, KICK_MEMBERS to kick, and the
role hierarchy for both (nobody outranks the owner). MODERATE_MEMBERS for timeouts, never
on the owner or an administrator, at most 28 days ahead. Listing members needs the
GUILD_MEMBERS intent. Role names are at most 100 characters (create and edit); a server
has at most 250 roles (30005).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from emulator import limits, payloads
from emulator.access import (
    bot_guild_perms,
    guild_or_404,
    member_or_404,
    require,
    require_grantable,
    role_or_404,
)
from emulator.dispatch import Intents
from emulator.errors import ApiError, invalid_form, missing_access, missing_permissions
from emulator.model import Guild, Member, Role
from emulator.permissions import P, as_bits, can_manage_role, is_admin, outranks
from emulator.server import ApiRequest, RouteTable

routes = RouteTable()
MAX_TIMEOUT = dt.timedelta(days=28)


@routes("GET", "/guilds/{guild_id}")
async def get_guild(req: ApiRequest) -> Any:
    guild = guild_or_404(req.world, req.id("guild_id"))
    data = payloads.guild_base(guild)
    if req.query.get("with_counts") in ("1", "true", "True"):
        data["approximate_member_count"] = len(guild.members)
        data["approximate_presence_count"] = 0
    return data


@routes("GET", "/guilds/{guild_id}/members")
async def list_members(req: ApiRequest) -> Any:
    guild = guild_or_404(req.world, req.id("guild_id"))
    intents = req.events.link.intents or 0
    if not intents & Intents.GUILD_MEMBERS:
        raise missing_access("listing members needs the GUILD_MEMBERS intent")
    limit = int(req.query.get("limit", 1))
    after = int(req.query.get("after", 0))
    members = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)
    return [payloads.member(m) for m in members[: max(1, min(limit, 1000))]]


@routes("GET", "/guilds/{guild_id}/members/{member_id}")
async def get_member(req: ApiRequest) -> Any:
    guild = guild_or_404(req.world, req.id("guild_id"))
    return payloads.member(member_or_404(guild, req.id("member_id")))


@routes("PATCH", "/guilds/{guild_id}/members/@me")
async def edit_me(req: ApiRequest) -> Any:
    guild = guild_or_404(req.world, req.id("guild_id"))
    bot, bits = bot_guild_perms(req.world, guild)
    body = await req.body()
    if "nick" in body:
        require(bits, P.CHANGE_NICKNAME, "changing the bot's nickname")
        bot.nick = body["nick"] or None
    req.events.member_event("GUILD_MEMBER_UPDATE", guild, bot)
    return payloads.member(bot)


@routes("PATCH", "/guilds/{guild_id}/members/{user_id}")
async def edit_member(req: ApiRequest) -> Any:
    world = req.world
    guild = guild_or_404(world, req.id("guild_id"))
    bot, bits = bot_guild_perms(world, guild)
    target = member_or_404(guild, req.id("user_id"))
    body = await req.body()
    changes: dict[str, Any] = {}
    if "nick" in body:
        require(bits, P.MANAGE_NICKNAMES, "changing a nickname")
        if target.id != bot.id and not outranks(guild, bot, target):
            raise missing_permissions("the bot's highest role is not above this member's")
        changes["nick"] = body["nick"] or None
    if "roles" in body and body["roles"] is not None:
        wanted = [int(r) for r in body["roles"]]
        for role_id in set(wanted) ^ set(target.roles):
            check_assignable(guild, bot, bits, role_or_404(guild, role_id))
        changes["roles"] = list(dict.fromkeys(wanted))
    if "communication_disabled_until" in body:
        changes["communication_disabled_until"] = timeout_until(req, guild, bot, bits, target, body)
    for key, needed in (("mute", P.MUTE_MEMBERS), ("deaf", P.DEAFEN_MEMBERS)):
        if key in body:
            require(bits, needed, f"server {key}")
    if body.get("channel_id"):
        raise ApiError(400, 40032, "Target user is not connected to voice.")
    for key, value in changes.items():
        setattr(target, key, value)
    req.events.member_event("GUILD_MEMBER_UPDATE", guild, target)
    return payloads.member(target)


def check_assignable(guild: Guild, bot: Member, bits: int, role: Role) -> None:
    require(bits, P.MANAGE_ROLES, f"assigning role {role.name!r}")
    if role.is_everyone or role.managed:
        raise missing_permissions(f"role {role.name!r} is managed or @everyone")
    if not can_manage_role(guild, bot, role):
        raise missing_permissions(f"role {role.name!r} is not below the bot's highest role")


def timeout_until(
    req: ApiRequest, guild: Guild, bot: Member, bits: int, target: Member, body: dict[str, Any]
) -> dt.datetime | None:
    require(bits, P.MODERATE_MEMBERS, "timing out a member")
    if is_admin(guild, target):
        raise missing_permissions("the owner and administrators cannot be timed out")
    if not outranks(guild, bot, target):
        raise missing_permissions("the bot's highest role is not above this member's")
    raw = body["communication_disabled_until"]
    if raw is None:
        return None
    until = dt.datetime.fromisoformat(str(raw))
    if until.tzinfo is None:
        until = until.replace(tzinfo=dt.UTC)
    if until - req.world.clock.now() > MAX_TIMEOUT:
        raise invalid_form(
            "Timeout cannot be more than 28 days ahead", "communication_disabled_until"
        )
    return until


@routes("DELETE", "/guilds/{guild_id}/members/{user_id}")
async def kick(req: ApiRequest) -> Any:
    world = req.world
    guild = guild_or_404(world, req.id("guild_id"))
    bot, bits = bot_guild_perms(world, guild)
    target = member_or_404(guild, req.id("user_id"))
    require(bits, P.KICK_MEMBERS, "kicking a member")
    if not outranks(guild, bot, target):
        raise missing_permissions("the bot's highest role is not above this member's")
    del guild.members[target.id]
    for channel in guild.channels.values():
        channel.thread_members.pop(target.id, None)
    req.events.member_event("GUILD_MEMBER_REMOVE", guild, target)
    return None


@routes("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
async def add_role(req: ApiRequest) -> Any:
    guild, bot, bits, target, role = _member_role(req)
    check_assignable(guild, bot, bits, role)
    if role.id not in target.roles:
        target.roles.append(role.id)
        req.events.member_event("GUILD_MEMBER_UPDATE", guild, target)
    return None


@routes("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
async def remove_role(req: ApiRequest) -> Any:
    guild, bot, bits, target, role = _member_role(req)
    check_assignable(guild, bot, bits, role)
    if role.id in target.roles:
        target.roles.remove(role.id)
        req.events.member_event("GUILD_MEMBER_UPDATE", guild, target)
    return None


def _member_role(req: ApiRequest) -> tuple[Guild, Member, int, Member, Role]:
    guild = guild_or_404(req.world, req.id("guild_id"))
    bot, bits = bot_guild_perms(req.world, guild)
    target = member_or_404(guild, req.id("user_id"))
    return guild, bot, bits, target, role_or_404(guild, req.id("role_id"))


@routes("GET", "/guilds/{guild_id}/roles")
async def list_roles(req: ApiRequest) -> Any:
    guild = guild_or_404(req.world, req.id("guild_id"))
    return [payloads.role(r) for r in sorted(guild.roles.values(), key=lambda r: r.position)]


@routes("GET", "/guilds/{guild_id}/roles/{role_id}")
async def get_role(req: ApiRequest) -> Any:
    guild = guild_or_404(req.world, req.id("guild_id"))
    return payloads.role(role_or_404(guild, req.id("role_id")))


@routes("POST", "/guilds/{guild_id}/roles")
async def create_role(req: ApiRequest) -> Any:
    world = req.world
    guild = guild_or_404(world, req.id("guild_id"))
    _, bits = bot_guild_perms(world, guild)
    require(bits, P.MANAGE_ROLES, "creating a role")
    body = await req.body()
    limits.check_room_for_role(sum(1 for r in guild.roles.values() if not r.is_everyone))
    permissions = as_bits(body.get("permissions", guild.everyone.permissions))
    require_grantable(bits, permissions, "creating a role")
    role = Role(
        id=world.ids.next(),
        guild_id=guild.id,
        name=str(body.get("name") or "new role"),
        permissions=permissions,
        position=1,
        color=int(body.get("color") or 0),
        hoist=bool(body.get("hoist")),
        mentionable=bool(body.get("mentionable")),
    )
    moved = world.place_role(guild, role, 1)
    req.events.role_event("GUILD_ROLE_CREATE", guild, role.id)
    for other in moved:
        req.events.role_event("GUILD_ROLE_UPDATE", guild, other.id)
    return payloads.role(role)


@routes("PATCH", "/guilds/{guild_id}/roles/{role_id}")
async def edit_role(req: ApiRequest) -> Any:
    world = req.world
    guild = guild_or_404(world, req.id("guild_id"))
    bot, bits = bot_guild_perms(world, guild)
    role = role_or_404(guild, req.id("role_id"))
    require(bits, P.MANAGE_ROLES, f"editing role {role.name!r}")
    if not can_manage_role(guild, bot, role):
        raise missing_permissions(f"role {role.name!r} is not below the bot's highest role")
    body = await req.body()
    if "permissions" in body and body["permissions"] is not None:
        permissions = as_bits(body["permissions"])
        require_grantable(bits, permissions & ~role.permissions, f"editing role {role.name!r}")
        role.permissions = permissions
    for key in ("name", "color", "hoist", "mentionable"):
        if key in body and body[key] is not None:
            setattr(role, key, body[key])
    req.events.role_event("GUILD_ROLE_UPDATE", guild, role.id)
    return payloads.role(role)


@routes("PATCH", "/guilds/{guild_id}/roles")
async def move_roles(req: ApiRequest) -> Any:
    world = req.world
    guild = guild_or_404(world, req.id("guild_id"))
    bot, bits = bot_guild_perms(world, guild)
    require(bits, P.MANAGE_ROLES, "moving roles")
    changed: set[int] = set()
    for item in await req.body():
        role = role_or_404(guild, int(item["id"]))
        position = int(item.get("position") or 0)
        if role.is_everyone or not can_manage_role(guild, bot, role):
            raise missing_permissions(f"role {role.name!r} is not below the bot's highest role")
        if guild.owner_id != bot.id and position >= max(r.position for r in _bot_roles(guild, bot)):
            raise missing_permissions("cannot move a role to or above the bot's highest role")
        changed.add(role.id)
        changed.update(r.id for r in world.place_role(guild, role, position))
    for role_id in changed:
        req.events.role_event("GUILD_ROLE_UPDATE", guild, role_id)
    return [payloads.role(r) for r in sorted(guild.roles.values(), key=lambda r: r.position)]


def _bot_roles(guild: Guild, bot: Member) -> list[Role]:
    return [guild.roles[r] for r in bot.roles if r in guild.roles] or [guild.everyone]


@routes("DELETE", "/guilds/{guild_id}/roles/{role_id}")
async def delete_role(req: ApiRequest) -> Any:
    world = req.world
    guild = guild_or_404(world, req.id("guild_id"))
    bot, bits = bot_guild_perms(world, guild)
    role = role_or_404(guild, req.id("role_id"))
    require(bits, P.MANAGE_ROLES, f"deleting role {role.name!r}")
    if role.is_everyone or role.managed:
        raise ApiError(400, 50028, "Invalid Role")
    if not can_manage_role(guild, bot, role):
        raise missing_permissions(f"role {role.name!r} is not below the bot's highest role")
    del guild.roles[role.id]
    for member in guild.members.values():
        if role.id in member.roles:
            member.roles.remove(role.id)
    for channel in guild.channels.values():
        channel.overwrites.pop(role.id, None)
    req.events.role_event("GUILD_ROLE_DELETE", guild, role.id)
    return None
