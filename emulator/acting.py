"""Emulated people acting: posting, reacting, DMing the bot, and every interaction kind.

Each action obeys the same permission maths as the bot's REST calls: a person cannot post
where they cannot see or send, cannot use a command where they cannot see the channel, and
cannot click a message they cannot see (an ephemeral one is only theirs). Interactions wait
for the bot's answer with a deadline instead of sleeping. Called through `Emulator`.
"""

from __future__ import annotations

import time
from typing import Any

from emulator import messaging
from emulator.access import can_see_message, perms_in
from emulator.building import Who, as_user
from emulator.errors import ApiError, BotDidNotRespond, DriverError, NotAllowed, NotVisible
from emulator.interactions import (
    SELECT_TYPES,
    command_data,
    context_menu_data,
    find_component,
    modal_submit_data,
    new_interaction,
    resolve_command,
    select_data,
)
from emulator.model import (
    CATEGORY,
    FORUM,
    LOADING,
    AppCommand,
    Channel,
    Interaction,
    Message,
    User,
)
from emulator.permissions import P, names
from emulator.results import InteractionResult, ModalForm
from emulator.server import Services, Upload

COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5


def check_perms(s: Services, user: User, channel: Channel, needed: int, action: str) -> None:
    """Raise NotVisible / NotAllowed like the Discord client would stop the person."""
    bits = perms_in(s.world, user.id, channel)
    where = f"#{channel.name}" if channel.name else "this DM"
    guild = s.world.guilds.get(channel.guild_id or 0)
    if guild is not None and user.id not in guild.members:
        raise NotVisible(f"{user.username} is not a member of {guild.name!r}")
    if not bits & P.VIEW_CHANNEL:
        raise NotVisible(f"{user.username} cannot see {where}")
    missing = needed & ~bits
    if missing:
        raise NotAllowed(
            f"{user.username} cannot {action} in {where}: lacks {', '.join(names(missing))}"
        )


async def say(
    s: Services,
    author: Who,
    channel: Channel,
    content: str,
    *,
    embeds: list[dict[str, Any]] | None = None,
    reply_to: Message | None = None,
    files: list[tuple[str, bytes]] | None = None,
) -> Message:
    user = as_user(s.world, author)
    if channel.type in (CATEGORY, FORUM):
        raise DriverError(f"nobody can post directly in #{channel.name} (type {channel.type})")
    needed = P.SEND_MESSAGES_IN_THREADS if channel.is_thread else P.SEND_MESSAGES
    if files:
        needed |= P.ATTACH_FILES
    if reply_to is not None:
        needed |= P.READ_MESSAGE_HISTORY
    check_perms(s, user, channel, needed, "post")
    body: dict[str, Any] = {"content": content, "embeds": embeds or []}
    if reply_to is not None:
        body["message_reference"] = {"message_id": reply_to.id, "channel_id": reply_to.channel_id}
    uploads = [Upload(i, name, data, None) for i, (name, data) in enumerate(files or [])]
    try:
        message = messaging.build(s.world, s.config, channel, user, body, uploads)
    except ApiError as error:
        raise DriverError(f"Discord would refuse this message: {error}") from None
    s.events.message_create(message)
    return message


async def edit_own(s: Services, author: Who, message: Message, content: str) -> Message:
    """A person edits their own message (MESSAGE_UPDATE to whoever can see it)."""
    user = as_user(s.world, author)
    if message.author.id != user.id or message.deleted:
        raise DriverError(f"{user.username} can only edit their own, live messages")
    try:
        messaging.edit(s.world, s.config, message, {"content": content}, [])
    except ApiError as error:
        raise DriverError(f"Discord would refuse this edit: {error}") from None
    s.events.message_update(message)
    return message


async def delete(s: Services, message: Message, by: Who | None) -> None:
    """`by` deletes `message` (MESSAGE_DELETE to whoever can see the channel, the bot too).

    `by`: its author, or anyone with MANAGE_MESSAGES there (never someone else's DM message);
    None is an admin or moderator outside the test's cast, so nothing is checked.
    """
    world = s.world
    if message.deleted:
        raise DriverError(f"{message!r} is already deleted")
    if message.ephemeral_for is not None:
        raise DriverError("an ephemeral message can only be dismissed, which Discord never reports")
    channel = world.channels.get(message.channel_id)
    if channel is None:
        raise DriverError(f"the channel of {message!r} no longer exists")
    if by is not None:
        user = as_user(world, by)
        if not can_see_message(world, user.id, message):
            raise NotVisible(f"{user.username} cannot see message {message.id}")
        if message.author.id != user.id:
            if channel.is_dm:
                raise NotAllowed(f"{user.username} cannot delete someone else's DM message")
            check_perms(s, user, channel, P.MANAGE_MESSAGES, "delete others' messages")
    message.deleted = True
    s.events.message_delete(message)


async def dm_bot(s: Services, author: Who, content: str) -> Message:
    user = as_user(s.world, author)
    if not s.world.shared_guild(user.id, s.world.bot.id):
        raise NotAllowed(f"{user.username} shares no server with the bot, so cannot DM it")
    return await say(s, user, s.world.dm_channel(user.id), content)


async def react(s: Services, who: Who, message: Message, emoji: str) -> None:
    user = as_user(s.world, who)
    if not can_see_message(s.world, user.id, message):
        raise NotVisible(f"{user.username} cannot see message {message.id}")
    channel = s.world.channels[message.channel_id]
    needed = P.READ_MESSAGE_HISTORY | (0 if message.reactions.get(emoji) else P.ADD_REACTIONS)
    check_perms(s, user, channel, needed, "react")
    users = message.reactions.setdefault(emoji, set())
    if user.id not in users:
        users.add(user.id)
        s.events.reaction_event("MESSAGE_REACTION_ADD", message, user.id, emoji)


# --- interactions ----------------------------------------------------------------------------


async def invoke(
    s: Services,
    who: Who,
    channel: Channel,
    command: str,
    values: dict[str, Any],
    *,
    settle: bool,
    within: float | None,
    focused: str | None = None,
) -> InteractionResult:
    user = as_user(s.world, who)
    check_perms(s, user, channel, P.USE_APPLICATION_COMMANDS, "use commands")
    synced, chain, schema = resolve_command(s.world, channel, command)
    check_context(synced, channel)
    check_command_permission(s, user, channel, synced)
    data = command_data(s.world, channel, user, synced, chain, schema, values, focused=focused)
    kind = AUTOCOMPLETE if focused else COMMAND
    inter = new_interaction(
        s.world, s.config, type=kind, user=user, channel=channel, data=data, name=synced.name
    )
    s.events.interaction_create(inter.payload)
    label = "autocomplete for /" + command if focused else "/" + command
    return await wait_for_answer(s, inter, label, settle=settle, within=within)


def check_command_permission(
    s: Services, user: User, channel: Channel, command: AppCommand
) -> None:
    """Discord hides a command from members lacking its default_member_permissions, unless
    a server admin overrode that for their user, one of their roles, or @everyone."""
    if channel.guild_id is None:
        return
    guild = s.world.guilds[channel.guild_id]
    member = guild.members[user.id]
    overrides = s.world.command_overrides.get((guild.id, command.name), {})
    role_verdicts = [overrides[r] for r in member.roles if r in overrides]
    if user.id in overrides:
        allowed = overrides[user.id]
    elif role_verdicts:
        allowed = any(role_verdicts)
    elif guild.id in overrides:
        allowed = overrides[guild.id]
    else:
        needed = int(command.default_member_permissions or 0)
        held = perms_in(s.world, user.id, channel)
        allowed = held & P.ADMINISTRATOR != 0 or held & needed == needed
    if not allowed:
        raise NotAllowed(
            f"{user.username} cannot see /{command.name} here: it needs "
            f"{', '.join(names(int(command.default_member_permissions or 0))) or 'an override'}"
        )


def check_context(command: AppCommand, channel: Channel) -> None:
    """Discord only offers a command where its contexts (and legacy dm_permission) allow."""
    if channel.is_dm and command.raw.get("dm_permission") is False:
        raise DriverError(f"{command.name!r} is not available in DMs (dm_permission false)")
    context = 1 if channel.is_dm else 0
    if command.contexts is not None and context not in command.contexts:
        where = "DMs" if channel.is_dm else "servers"
        raise DriverError(f"{command.name!r} is not available in {where} ({command.contexts})")


async def context_menu(
    s: Services, who: Who, channel: Channel, name: str, target: Any, *, within: float | None
) -> InteractionResult:
    user = as_user(s.world, who)
    check_perms(s, user, channel, P.USE_APPLICATION_COMMANDS, "use commands")
    if isinstance(target, Message) and not can_see_message(s.world, user.id, target):
        raise NotVisible(f"{user.username} cannot see message {target.id}")
    command, data = context_menu_data(s.world, channel, name, target)
    check_context(command, channel)
    inter = new_interaction(
        s.world, s.config, type=COMMAND, user=user, channel=channel, data=data, name=name
    )
    s.events.interaction_create(inter.payload)
    return await wait_for_answer(s, inter, f"command {name!r}", settle=True, within=within)


async def use_component(
    s: Services,
    who: Who,
    message: Message,
    custom_id: str,
    values: list[Any] | None,
    *,
    settle: bool,
    within: float | None,
) -> InteractionResult:
    user = as_user(s.world, who)
    if not can_see_message(s.world, user.id, message):
        raise NotVisible(f"{user.username} cannot see message {message.id}")
    channel = s.world.channels[message.channel_id]
    component = find_component(message, custom_id)
    kind = int(component.get("type", 0))
    if values is None:
        if kind != 2 or component.get("style") == 5:
            raise DriverError(f"{custom_id!r} is not a clickable button (type {kind})")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": 2}
    else:
        if kind not in SELECT_TYPES:
            raise DriverError(f"{custom_id!r} is not a select menu (type {kind})")
        data = select_data(s.world, channel, component, values)
    inter = new_interaction(
        s.world, s.config, type=COMPONENT, user=user, channel=channel, data=data, message=message
    )
    s.events.interaction_create(inter.payload)
    return await wait_for_answer(s, inter, f"component {custom_id!r}", settle=settle, within=within)


async def submit_modal(
    s: Services,
    who: Who,
    source: InteractionResult | ModalForm,
    values: dict[str, Any],
    *,
    settle: bool,
    within: float | None,
) -> InteractionResult:
    form = source.modal if isinstance(source, InteractionResult) else source
    if form is None or form.source is None:
        raise DriverError("that interaction did not open a modal")
    user = as_user(s.world, who)
    opener = form.source
    if opener.user.id != user.id:
        raise DriverError(f"the modal was opened for {opener.user.username}, not {user.username}")
    channel = s.world.channels[opener.channel_id]
    message = s.world.messages.get(opener.message_id or 0)
    data = modal_submit_data(form, values)
    inter = new_interaction(
        s.world, s.config, type=MODAL_SUBMIT, user=user, channel=channel, data=data, message=message
    )
    s.events.interaction_create(inter.payload)
    return await wait_for_answer(
        s, inter, f"modal {form.custom_id!r}", settle=settle, within=within
    )


async def wait_for_answer(
    s: Services, inter: Interaction, label: str, *, settle: bool, within: float | None
) -> InteractionResult:
    """Wait for the bot's initial response; if it deferred and `settle`, for the real answer."""
    world = s.world
    timeout = within if within is not None else s.config.interaction_deadline + 1.0
    since = time.perf_counter()
    try:
        await world.wait_for(
            lambda: inter.acknowledged or inter.late_callbacks,
            timeout,
            what=f"a response to {label}",
        )
    except TimeoutError:
        raise BotDidNotRespond(
            f"the bot did not respond to {label} within {timeout:.2f}s{_failures(s, since)}"
        ) from None
    if not inter.acknowledged:
        raise BotDidNotRespond(
            f"the bot responded to {label} after the {s.config.interaction_deadline}s deadline "
            "(Discord answered 404 10062 Unknown interaction)"
        )
    if settle and inter.response_type == 5:

        def completed() -> bool:
            original = world.messages.get(inter.original_message_id or 0)
            done = original is not None and not original.flags & LOADING
            return done or bool(inter.followup_ids)

        try:
            await world.wait_for(
                completed, max(timeout, 5.0), what=f"the deferred answer to {label}"
            )
        except TimeoutError:
            raise BotDidNotRespond(
                f"the bot deferred {label} and never completed it{_failures(s, since)}"
            ) from None
    return InteractionResult(world, inter)


def _failures(s: Services, since: float) -> str:
    """The bot's failed requests since `since`, to say why it did not answer."""
    failed = [r for r in s.requests.records if r.at >= since and r.status >= 400]
    if not failed:
        return " (it made no failing request meanwhile; see the log for errors)"
    lines = [f"  {r.key} -> {r.status} {r.code or ''} {r.detail}".rstrip() for r in failed[-5:]]
    return "; failing requests meanwhile:\n" + "\n".join(lines)
