"""Who am I, the application, the gateway URL, users and DMs."""

from __future__ import annotations

from typing import Any

from emulator import payloads
from emulator.errors import invalid_form, unknown
from emulator.server import ApiRequest, RouteTable

routes = RouteTable()


@routes("GET", "/users/@me")
async def get_me(req: ApiRequest) -> Any:
    return {**payloads.user(req.world.bot), "verified": True, "mfa_enabled": False}


@routes("GET", "/users/@me/guilds")
async def my_guilds(req: ApiRequest) -> Any:
    bot_id = req.world.bot.id
    return [
        {
            "id": str(g.id),
            "name": g.name,
            "icon": None,
            "owner": g.owner_id == bot_id,
            "permissions": "0",
            "features": [],
        }
        for g in req.world.guilds.values()
        if bot_id in g.members
    ]


@routes("POST", "/users/@me/channels")
async def open_dm(req: ApiRequest) -> Any:
    body = await req.body()
    recipient = int(body.get("recipient_id") or 0)
    if recipient not in req.world.users:
        raise invalid_form("Unknown user", "recipient_id")
    return payloads.channel(req.world, req.world.dm_channel(recipient))


@routes("GET", "/users/{user_id}")
async def get_user(req: ApiRequest) -> Any:
    user = req.world.users.get(req.id("user_id"))
    if user is None:
        raise unknown("user")
    return payloads.user(user)


@routes("GET", "/oauth2/applications/@me")
async def application_info(req: ApiRequest) -> Any:
    world = req.world
    return {
        "id": str(world.application_id),
        "name": world.bot.username,
        "icon": None,
        "description": "Emulated application",
        "summary": "",
        "verify_key": "0" * 64,
        "flags": 0,
        "bot_public": False,
        "bot_require_code_grant": False,
        "owner": payloads.user(world.bot),
        "bot": payloads.user(world.bot),
        "rpc_origins": [],
        "redirect_uris": [],
        "tags": [],
        "interactions_endpoint_url": None,
        "approximate_guild_count": sum(
            1 for g in world.guilds.values() if world.bot.id in g.members
        ),
    }


@routes("GET", "/gateway")
async def gateway(req: ApiRequest) -> Any:
    return {"url": req.config.gateway_url}


@routes("GET", "/gateway/bot")
async def gateway_bot(req: ApiRequest) -> Any:
    return {
        "url": req.config.gateway_url,
        "shards": req.config.recommended_shards(),
        "session_start_limit": {
            "total": 1000,
            "remaining": 999,
            "reset_after": 14_400_000,
            "max_concurrency": req.config.max_concurrency,
        },
    }
