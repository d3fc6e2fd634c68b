"""Guild scheduled events: list, create, read, edit, delete, interested users.

Rules: MANAGE_EVENTS (or CREATE_EVENTS for creating, and editing the bot's own events);
voice/stage events need a channel the bot can see, external ones a location and an end;
the start must be in the future; status moves only scheduled -> active -> completed or
scheduled -> cancelled.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from emulator import payloads
from emulator.access import bot_channel, bot_guild_perms, event_or_404, guild_or_404, require
from emulator.errors import invalid_form, missing_permissions
from emulator.model import ScheduledEvent
from emulator.permissions import P
from emulator.server import ApiRequest, RouteTable

routes = RouteTable()
SCHEDULED, ACTIVE, COMPLETED, CANCELLED = 1, 2, 3, 4
ALLOWED_STATUS = {SCHEDULED: {ACTIVE, CANCELLED}, ACTIVE: {COMPLETED}}
EXTERNAL = 3


def _parse_time(value: Any, field: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(str(value))
    except ValueError as error:
        raise invalid_form("Invalid ISO8601 timestamp", field) from error
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _validate(req: ApiRequest, event: ScheduledEvent) -> None:
    start = _parse_time(event.scheduled_start_time, "scheduled_start_time")
    if event.entity_type == EXTERNAL:
        if not (event.entity_metadata or {}).get("location"):
            raise invalid_form("External events need entity_metadata.location", "entity_metadata")
        if not event.scheduled_end_time:
            raise invalid_form("External events need scheduled_end_time", "scheduled_end_time")
        event.channel_id = None
    elif event.channel_id is None:
        raise invalid_form("Voice and stage events need channel_id", "channel_id")
    else:
        bot_channel(req.world, event.channel_id)
    if event.scheduled_end_time:
        end = _parse_time(event.scheduled_end_time, "scheduled_end_time")
        if end <= start:
            raise invalid_form("The end must be after the start", "scheduled_end_time")


@routes("GET", "/guilds/{guild_id}/scheduled-events")
async def list_events(req: ApiRequest) -> Any:
    guild = guild_or_404(req.world, req.id("guild_id"))
    return [payloads.scheduled_event(req.world, e) for e in guild.scheduled_events.values()]


@routes("POST", "/guilds/{guild_id}/scheduled-events")
async def create_event(req: ApiRequest) -> Any:
    world = req.world
    guild = guild_or_404(world, req.id("guild_id"))
    _, bits = bot_guild_perms(world, guild)
    if not bits & (P.MANAGE_EVENTS | P.CREATE_EVENTS):
        raise missing_permissions("creating an event needs MANAGE_EVENTS or CREATE_EVENTS")
    body = await req.body()
    if int(body.get("privacy_level") or 2) != 2:
        raise invalid_form("privacy_level must be 2 (guild only)", "privacy_level")
    event = ScheduledEvent(
        id=world.ids.next(),
        guild_id=guild.id,
        name=str(body.get("name") or ""),
        scheduled_start_time=str(body.get("scheduled_start_time") or ""),
        scheduled_end_time=body.get("scheduled_end_time"),
        entity_type=int(body.get("entity_type") or EXTERNAL),
        channel_id=int(body["channel_id"]) if body.get("channel_id") else None,
        description=body.get("description"),
        entity_metadata=body.get("entity_metadata"),
        creator_id=world.bot.id,
    )
    if not 1 <= len(event.name) <= 100:
        raise invalid_form("Must be between 1 and 100 in length.", "name")
    _validate(req, event)
    if _parse_time(event.scheduled_start_time, "scheduled_start_time") <= world.clock.now():
        raise invalid_form("Cannot schedule event in the past.", "scheduled_start_time")
    guild.scheduled_events[event.id] = event
    req.events.scheduled_event("GUILD_SCHEDULED_EVENT_CREATE", guild, event.id)
    return payloads.scheduled_event(world, event)


@routes("GET", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}")
async def get_event(req: ApiRequest) -> Any:
    guild = guild_or_404(req.world, req.id("guild_id"))
    event = event_or_404(guild, req.id("guild_scheduled_event_id"))
    return payloads.scheduled_event(req.world, event)


@routes("PATCH", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}")
async def edit_event(req: ApiRequest) -> Any:
    world = req.world
    guild = guild_or_404(world, req.id("guild_id"))
    _, bits = bot_guild_perms(world, guild)
    event = event_or_404(guild, req.id("guild_scheduled_event_id"))
    own = event.creator_id == world.bot.id and bits & P.CREATE_EVENTS
    if not own:
        require(bits, P.MANAGE_EVENTS, f"editing event {event.name!r}")
    body = await req.body()
    if "status" in body and int(body["status"]) != event.status:
        status = int(body["status"])
        if status not in ALLOWED_STATUS.get(event.status, set()):
            raise invalid_form(
                f"Cannot move an event from status {event.status} to {status}", "status"
            )
        event.status = status
    for key in (
        "name",
        "description",
        "scheduled_start_time",
        "scheduled_end_time",
        "entity_metadata",
        "entity_type",
    ):
        if key in body:
            setattr(event, key, body[key])
    if "channel_id" in body:
        event.channel_id = int(body["channel_id"]) if body["channel_id"] else None
    _validate(req, event)
    req.events.scheduled_event("GUILD_SCHEDULED_EVENT_UPDATE", guild, event.id)
    return payloads.scheduled_event(world, event)


@routes("DELETE", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}")
async def delete_event(req: ApiRequest) -> Any:
    world = req.world
    guild = guild_or_404(world, req.id("guild_id"))
    _, bits = bot_guild_perms(world, guild)
    event = event_or_404(guild, req.id("guild_scheduled_event_id"))
    require(bits, P.MANAGE_EVENTS, f"deleting event {event.name!r}")
    req.events.scheduled_event("GUILD_SCHEDULED_EVENT_DELETE", guild, event.id)
    del guild.scheduled_events[event.id]
    return None


@routes("GET", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}/users")
async def event_users(req: ApiRequest) -> Any:
    world = req.world
    guild = guild_or_404(world, req.id("guild_id"))
    event = event_or_404(guild, req.id("guild_scheduled_event_id"))
    with_member = req.query.get("with_member") in ("1", "true")
    out = []
    for user_id in sorted(event.interested):
        entry: dict[str, Any] = {
            "guild_scheduled_event_id": str(event.id),
            "user": payloads.user(world.users[user_id]),
        }
        member = guild.members.get(user_id)
        if with_member and member is not None:
            entry["member"] = payloads.member(member, with_user=False)
        out.append(entry)
    return out
