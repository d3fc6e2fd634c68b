"""Interaction callbacks and the interaction webhook (followups, @original).

Rules: the first response must arrive within `Config.interaction_deadline` (else 404 10062
Unknown interaction); a second initial response is 400 40060; the callback type must suit
the interaction (commands: 4/5/9, components: 4/5/6/7/9, autocomplete: 8, modal submits:
4/5 and 6/7 when they came from a message). The token works for followups and edits for
`Config.token_lifetime` (then 401 50027); an unknown token is 404 10015. After a deferred
response (5), the first followup completes the deferred message, as on Discord.
discord.py 2.7 sends `with_response=1` and gets `{"interaction": ..., "resource": ...}`.
Bodies meet Discord's limits: the spec's (`openapi.py`: message lengths, <= 25 autocomplete
choices of 1-100 character names and <= 100 character string values, modal title 1-45,
text input label 1-45) and `limits.py`'s (6000 embed characters, component rows, modal
rows holding one text input, min_length <= max_length, a pre-filled value within them).
"""

from __future__ import annotations

from typing import Any

from emulator import limits, messaging, payloads
from emulator.errors import (
    ApiError,
    already_acknowledged,
    invalid_form,
    invalid_webhook_token,
    unknown,
)
from emulator.model import EPHEMERAL, LOADING, Interaction, Message
from emulator.server import ApiRequest, RouteTable

routes = RouteTable(auth=False)
COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE, CHOICES, MODAL = 4, 5, 6, 7, 8, 9
ALLOWED = {
    COMMAND: {MESSAGE, DEFERRED, MODAL},
    COMPONENT: {MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE, MODAL},
    AUTOCOMPLETE: {CHOICES},
    MODAL_SUBMIT: {MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE},
}
APPLICATION_COMMAND_MESSAGE = 20


@routes("POST", "/interactions/{webhook_id}/{webhook_token}/callback")
async def callback(req: ApiRequest) -> Any:
    world = req.world
    inter = world.interactions.get(req.id("webhook_id"))
    if inter is None or inter.token != req.match["webhook_token"]:
        raise unknown("interaction")
    if inter.acknowledged:
        raise already_acknowledged()
    if world.clock.time() - inter.created_at > req.config.interaction_deadline:
        inter.late_callbacks += 1
        world.touch()
        raise ApiError(404, 10062, "Unknown interaction", detail="responded after the deadline")
    body = await req.body()
    kind = int(body.get("type") or 0)
    data = body.get("data") or {}
    allowed = set(ALLOWED.get(inter.type, set()))
    if inter.type == MODAL_SUBMIT and inter.message_id is None:
        allowed -= {DEFERRED_UPDATE, UPDATE}
    if kind not in allowed:
        raise invalid_form(
            f"callback type {kind} is not valid for interaction type {inter.type}", "type"
        )
    info: dict[str, Any] = {"id": str(inter.id), "type": inter.type}
    resource: dict[str, Any] = {"type": kind}
    message: Message | None = None
    if kind in (MESSAGE, DEFERRED):
        message = _respond_with_message(req, inter, data, loading=kind == DEFERRED)
        info.update(
            response_message_id=str(message.id),
            response_message_loading=kind == DEFERRED,
            response_message_ephemeral=message.ephemeral,
        )
    elif kind in (DEFERRED_UPDATE, UPDATE):
        inter.original_message_id = inter.message_id
        if kind == UPDATE:
            message = world.messages[inter.message_id or 0]
            messaging.edit(world, req.config, message, data, req.files, prefix=("data",))
            req.events.message_update(message)
    elif kind == MODAL:
        limits.check_modal(data)  # choices (8) and the modal's lengths: checked by the spec
    inter.response_type = kind
    inter.response_data = data
    if message is not None:
        resource["message"] = payloads.message(world, message)
    world.touch()
    return {"interaction": info, "resource": resource}


def _respond_with_message(
    req: ApiRequest, inter: Interaction, data: dict[str, Any], *, loading: bool
) -> Message:
    world = req.world
    channel = world.channels[inter.channel_id]
    ephemeral = bool(int(data.get("flags") or 0) & EPHEMERAL)
    message = messaging.build(
        world,
        req.config,
        channel,
        world.bot,
        {} if loading else data,
        [] if loading else req.files,
        type=APPLICATION_COMMAND_MESSAGE if inter.type == COMMAND else 0,
        extra_flags=LOADING if loading else 0,
        ephemeral_for=inter.user.id if ephemeral else None,
        interaction_id=inter.id,
        webhook_id=world.application_id,
        allow_empty=loading,
        prefix=("data",),
    )
    inter.original_message_id = message.id
    req.events.message_create(message)
    return message


# --- webhook (followups and @original) -------------------------------------------------------


def _by_token(req: ApiRequest) -> Interaction:
    world = req.world
    inter = world.tokens.get(req.match["webhook_token"])
    if inter is None or req.id("webhook_id") != world.application_id:
        raise unknown("webhook")
    if world.clock.time() - inter.created_at > req.config.token_lifetime:
        raise invalid_webhook_token()
    return inter


def _owned_message(req: ApiRequest, inter: Interaction) -> Message:
    raw = req.match.get("message_id", "@original")
    if raw == "@original":
        message_id = inter.original_message_id
    else:
        message_id = int(raw)
        if message_id not in (inter.original_message_id, *inter.followup_ids):
            raise unknown("message")
    message = req.world.messages.get(message_id or 0)
    if message is None or message.deleted:
        raise unknown("message")
    return message


@routes("POST", "/webhooks/{webhook_id}/{webhook_token}")
async def followup(req: ApiRequest) -> Any:
    world = req.world
    inter = _by_token(req)
    if not inter.acknowledged:
        raise unknown("webhook")
    body = await req.body()
    original = world.messages.get(inter.original_message_id or 0)
    if original is not None and original.flags & LOADING and inter.response_type == DEFERRED:
        messaging.edit(world, req.config, original, body, req.files, clear_flags=LOADING)
        inter.edits += 1
        req.events.message_update(original)
        message = original
    else:
        ephemeral = bool(int(body.get("flags") or 0) & EPHEMERAL)
        message = messaging.build(
            world,
            req.config,
            world.channels[inter.channel_id],
            world.bot,
            body,
            req.files,
            ephemeral_for=inter.user.id if ephemeral else None,
            interaction_id=inter.id,
            webhook_id=world.application_id,
        )
        inter.followup_ids.append(message.id)
        req.events.message_create(message)
    if req.query.get("wait") in ("1", "true", "True"):
        return payloads.message(world, message)
    return None


@routes("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original")
@routes("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}")
async def get_webhook_message(req: ApiRequest) -> Any:
    inter = _by_token(req)
    return payloads.message(req.world, _owned_message(req, inter))


@routes("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original")
@routes("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}")
async def edit_webhook_message(req: ApiRequest) -> Any:
    world = req.world
    inter = _by_token(req)
    message = _owned_message(req, inter)
    messaging.edit(world, req.config, message, await req.body(), req.files, clear_flags=LOADING)
    inter.edits += 1
    req.events.message_update(message)
    return payloads.message(world, message)


@routes("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original")
@routes("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}")
async def delete_webhook_message(req: ApiRequest) -> Any:
    inter = _by_token(req)
    message = _owned_message(req, inter)
    message.deleted = True
    req.events.message_delete(message)
    return None
