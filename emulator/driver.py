"""`Emulator`: a local Discord for the real discord.py client, and the API tests drive it by.

    emu = Emulator()                                  # rate_limits=False by default
    await emu.start()                                 # 127.0.0.1, ephemeral port
    g = emu.create_guild("Hope IOP")                  # bot joins with its managed role
    facilitator = emu.create_role(g, "Facilitator", permissions=P.MANAGE_MESSAGES)
    alice = emu.create_member(g, "alice", roles=[facilitator])
    general = emu.create_channel(g, "general")
    async with wiring.connected(emu, bot):           # patches discord.py's URLs, starts bot
        await bot.tree.sync()
        msg = await emu.say(alice, general, "hello")              # MESSAGE_CREATE
        res = await emu.invoke(alice, general, "setup server", timezone="America/Chicago")
        res.kind, res.content, res.ephemeral, res.components, res.followups, res.message
        choices = await emu.autocomplete(alice, general, "setup server", "timezone", "chic")
        res = await emu.click(alice, res.message, "rsvp:yes")      # buttons (persistent views too)
        res = await emu.select(alice, res.message, "pick", ["3"])  # selects
        res = await emu.submit_modal(alice, res, {"note": "text"}) # after the bot sent a modal
        res = await emu.context_menu(alice, general, "Flag message", msg)
        emu.visible_messages(alice, general)   # NotVisible if alice cannot see #general
        emu.dms(alice); emu.ephemerals(alice); emu.events_for(alice)
        await emu.wait_for(lambda: ..., timeout=2)                # no fixed sleeps
    await emu.stop()

Building the world (`WorldBuilder`, acting as an administrator, events dispatched): create_user,
create_guild, add_bot, create_member, remove_member, create_role, edit_role, add_role,
remove_role, set_timeout, set_dms_closed, create_channel, set_overwrite, remove_overwrite,
delete_channel, create_thread, create_event, mark_interested, file.
People acting: say, edit, delete_message, dm (to the bot), react, invoke, autocomplete,
context_menu, click, select, submit_modal. Looking: visible_messages, messages_in,
last_message, dm_channel, dms, ephemerals, events_for, can_view, permissions, member,
commands, wait_for, wait_for_message.

Interactions wait for the bot's answer: the initial response, and with `settle=True` (the
default) also the edit or followup that completes a deferred response; `within` bounds the
wait (default: the interaction deadline + 1 s), and BotDidNotRespond lists the bot's failing
requests meanwhile. Keyword arguments to `invoke` are the command's options; pass
`options={...}` for names that clash with `settle`/`within`. People are `User`s or `Member`s
(or ids). What the bot may do is enforced on the REST side (routes/); what people may do is
checked here with the same permission maths (NotVisible, NotAllowed, DriverError).
Also: `emu.requests` / `emu.count(...)` (request log), `emu.faults` (5xx, 429 storms, for N
requests or N seconds; stalls; connection resets; gateway drop with or without RESUME, op 7,
op 9), `emu.ratelimits`, `emu.clock.advance(minutes=16)`,
`emu.unknown_routes`, `emu.gateway.stats` (identifies, resumes, dispatch rate).
"""

from __future__ import annotations

import secrets
import ssl
from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web

from emulator import acting
from emulator.access import can_see_message, can_view, perms_in
from emulator.building import Who, WorldBuilder, as_member, as_user
from emulator.dispatch import Dispatcher, ReceivedEvent
from emulator.errors import NotAllowed, NotVisible
from emulator.faults import Faults
from emulator.gateway import MAX_GUILDS_PER_SESSION, Gateway
from emulator.model import (
    AppCommand,
    Channel,
    Guild,
    Member,
    Message,
    User,
)
from emulator.permissions import P
from emulator.ratelimit import RateLimiter
from emulator.results import Choice, InteractionResult, ModalForm
from emulator.routes import (
    cdn,
    channels,
    commands,
    guilds,
    interactions,
    messages,
    scheduled_events,
    threads,
    users,
)
from emulator.server import Config, RequestLog, RequestRecord, Server, Services
from emulator.state import Clock, World

T = TypeVar("T")
REAL_HOSTS = {
    "api": "https://discord.com/api/v10",
    "gateway": "wss://gateway.discord.gg/",
    "cdn": "https://cdn.discordapp.com",
}


class Emulator(WorldBuilder):
    """One emulated Discord: state, REST server, gateway, rules, faults, and the driver API."""

    def __init__(
        self,
        *,
        rate_limits: bool = False,
        interaction_deadline: float = 3.0,
        token_lifetime: float = 15 * 60.0,
        record_member_events: bool = True,
        ssl_context: ssl.SSLContext | None = None,
        clock: Clock | None = None,
        max_guilds_per_session: int = MAX_GUILDS_PER_SESSION,
        identify_interval: float = 0.0,
        max_concurrency: int = 1,
    ) -> None:
        """`ssl_context` serves HTTPS and advertises Discord's real hostnames (canary mode).
        Shards (see emulator/gateway.py): `max_guilds_per_session` (4011 above it),
        `identify_interval` (Discord: 5 s per bucket; 0 lets tests restart at once),
        `max_concurrency` (identify buckets, as GET /gateway/bot reports)."""
        self.clock = clock or Clock()
        self.world = World(self.clock)
        self.bot_token = f"emulated.{secrets.token_urlsafe(24)}"
        self.config = Config(
            interaction_deadline=interaction_deadline, token_lifetime=token_lifetime
        )
        self.gateway = Gateway(
            self.world,
            token=self.bot_token,
            resume_url=lambda: self.gateway_url,
            max_guilds_per_session=max_guilds_per_session,
            identify_interval=identify_interval,
            max_concurrency=max_concurrency,
        )
        self.config.recommended_shards = self.gateway.recommended_shards
        self.config.max_concurrency = max_concurrency
        self.events = Dispatcher(self.world, self.gateway, record_members=record_member_events)
        self.ratelimits = RateLimiter(enabled=rate_limits)
        self.faults = Faults(self.gateway)
        self.log = RequestLog()
        self.services = Services(self.world, self.events, self.config, self.bot_token, self.log)
        self.ssl_context = ssl_context
        self.port = 0
        self._runner: web.AppRunner | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Emulator:
        server = Server(
            self.services,
            limiter=self.ratelimits,
            faults=self.faults,
            requests=self.log,
            gateway_handler=self.gateway.handle,
            tables=[
                users.routes,
                messages.routes,
                channels.routes,
                threads.routes,
                guilds.routes,
                scheduled_events.routes,
                commands.routes,
                interactions.routes,
            ],
            cdn_table=cdn.routes,
        )
        self._runner = web.AppRunner(server.app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, ssl_context=self.ssl_context)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self.config.gateway_url = self.gateway_url
        self.config.cdn_base = self.cdn_base
        return self

    async def stop(self) -> None:
        """Close the gateway and the server. Close the bot first (wiring.connected does)."""
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        if self.ssl_context is not None:
            return REAL_HOSTS["api"]
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        if self.ssl_context is not None:
            return REAL_HOSTS["gateway"]
        return f"ws://127.0.0.1:{self.port}/"

    @property
    def cdn_base(self) -> str:
        if self.ssl_context is not None:
            return REAL_HOSTS["cdn"]
        return f"http://127.0.0.1:{self.port}"

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def bot_user(self) -> User:
        return self.world.bot

    @property
    def bot_user_id(self) -> int:
        return self.world.bot.id

    @property
    def requests(self) -> list[RequestRecord]:
        return self.log.records

    @property
    def unknown_routes(self) -> list[str]:
        return self.log.unknown_routes

    def count(self, route: str, method: str | None = None, *, status: int | None = None) -> int:
        """Requests to a route template: count("POST /channels/{channel_id}/messages")."""
        return self.log.count(route, method, status=status)

    # --- people acting ---------------------------------------------------------------------

    async def say(
        self,
        author: Who,
        channel: Channel,
        content: str = "",
        *,
        embeds: list[dict[str, Any]] | None = None,
        reply_to: Message | None = None,
        files: list[tuple[str, bytes]] | None = None,
    ) -> Message:
        """`author` posts in `channel` (MESSAGE_CREATE); raises if they may not."""
        return await acting.say(
            self.services, author, channel, content, embeds=embeds, reply_to=reply_to, files=files
        )

    async def edit(self, author: Who, message: Message, content: str) -> Message:
        """`author` edits their own message."""
        return await acting.edit_own(self.services, author, message, content)

    async def delete_message(self, message: Message, *, by: Who | None = None) -> None:
        """`by` (its author, or a member with Manage Messages; None = an admin, unchecked)
        deletes `message`: MESSAGE_DELETE to the bot if it can see the channel."""
        await acting.delete(self.services, message, by)

    async def dm(self, author: Who, content: str) -> Message:
        """`author` writes to the bot in their DM channel."""
        return await acting.dm_bot(self.services, author, content)

    async def react(self, who: Who, message: Message, emoji: str) -> None:
        await acting.react(self.services, who, message, emoji)

    async def invoke(
        self,
        who: Who,
        channel: Channel,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        settle: bool = True,
        within: float | None = None,
        **option_values: Any,
    ) -> InteractionResult:
        """Run a synced slash command ("group sub") with typed options; wait for the answer."""
        values = {**(options or {}), **option_values}
        return await acting.invoke(
            self.services, who, channel, command, values, settle=settle, within=within
        )

    async def context_menu(
        self,
        who: Who,
        channel: Channel,
        name: str,
        target: Message | Member | User,
        *,
        within: float | None = None,
    ) -> InteractionResult:
        """Use a synced user command (target a person) or message command (target a message)."""
        return await acting.context_menu(self.services, who, channel, name, target, within=within)

    async def autocomplete(
        self,
        who: Who,
        channel: Channel,
        command: str,
        option: str,
        typed: str = "",
        *,
        within: float | None = None,
        **other_options: Any,
    ) -> list[Choice]:
        """Type `typed` into `option`; returns the bot's suggestions."""
        values = {**other_options, option: typed}
        result = await acting.invoke(
            self.services,
            who,
            channel,
            command,
            values,
            settle=False,
            within=within,
            focused=option,
        )
        return result.choices

    async def click(
        self,
        who: Who,
        message: Message,
        custom_id: str,
        *,
        settle: bool = True,
        within: float | None = None,
    ) -> InteractionResult:
        """Press a button on a message (guild, DM or ephemeral)."""
        return await acting.use_component(
            self.services, who, message, custom_id, None, settle=settle, within=within
        )

    async def select(
        self,
        who: Who,
        message: Message,
        custom_id: str,
        values: list[Any],
        *,
        settle: bool = True,
        within: float | None = None,
    ) -> InteractionResult:
        """Choose `values` in a select menu (option values, or users/roles/channels)."""
        return await acting.use_component(
            self.services, who, message, custom_id, list(values), settle=settle, within=within
        )

    async def submit_modal(
        self,
        who: Who,
        modal: InteractionResult | ModalForm,
        values: dict[str, Any],
        *,
        settle: bool = True,
        within: float | None = None,
    ) -> InteractionResult:
        """Fill in and submit the modal the bot opened ({field custom_id: value})."""
        return await acting.submit_modal(
            self.services, who, modal, values, settle=settle, within=within
        )

    # --- looking -----------------------------------------------------------------------------

    def visible_messages(self, who: Who, channel: Channel) -> list[Message]:
        """What `who` sees in `channel`, oldest first, their ephemerals included."""
        user = as_user(self.world, who)
        bits = perms_in(self.world, user.id, channel)
        if not bits & P.VIEW_CHANNEL:
            raise NotVisible(f"{user.username} cannot see #{channel.name}")
        if not bits & P.READ_MESSAGE_HISTORY:
            raise NotAllowed(f"{user.username} cannot read the history of #{channel.name}")
        return [
            m
            for m in self.world.channel_messages(channel, include_ephemeral=True)
            if can_see_message(self.world, user.id, m)
        ]

    def messages_in(self, channel: Channel) -> list[Message]:
        """Every live, non-ephemeral message in `channel` (no permission check)."""
        return self.world.channel_messages(channel)

    def last_message(self, channel: Channel) -> Message | None:
        found = self.messages_in(channel)
        return found[-1] if found else None

    def dm_channel(self, who: Who) -> Channel:
        return self.world.dm_channel(as_user(self.world, who).id)

    def dms(self, who: Who) -> list[Message]:
        """Messages the bot sent `who` by DM, oldest first."""
        channel = self.dm_channel(who)
        return [m for m in self.world.channel_messages(channel) if m.author.id == self.bot_user_id]

    def ephemerals(self, who: Who) -> list[Message]:
        user_id = as_user(self.world, who).id
        return [
            m for m in self.world.messages.values() if m.ephemeral_for == user_id and not m.deleted
        ]

    def events_for(self, who: Who, type: str | None = None) -> list[ReceivedEvent]:
        """Gateway events `who` would have received (same view rules as the bot's)."""
        received = self.events.received.get(as_user(self.world, who).id, [])
        return [e for e in received if type is None or e.type == type]

    def can_view(self, who: Who, channel: Channel) -> bool:
        return can_view(self.world, as_user(self.world, who).id, channel)

    def permissions(self, who: Who, channel: Channel) -> int:
        return perms_in(self.world, as_user(self.world, who).id, channel)

    def member(self, guild: Guild, who: Who) -> Member:
        return as_member(self.world, guild, who)

    def commands(self, guild: Guild | None = None) -> list[AppCommand]:
        """Commands the bot synced (global, or for `guild`)."""
        guild_id = guild.id if guild else None
        return [c for c in self.world.commands.values() if c.guild_id == guild_id]

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        what: str = "",
    ) -> T:
        """Return predicate() once truthy; wakes on every change; TimeoutError otherwise."""
        return await self.world.wait_for(predicate, timeout, what=what)

    async def wait_for_message(
        self,
        channel: Channel,
        *,
        author: Who | None = None,
        check: Callable[[Message], bool] | None = None,
        after: Message | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> Message:
        """The first message in `channel` (after `after`) matching author/check."""
        author_id = as_user(self.world, author).id if author is not None else None
        floor = after.id if after else 0

        def found() -> Message | None:
            for message in self.world.channel_messages(channel, include_ephemeral=True):
                if message.id <= floor or (author_id and message.author.id != author_id):
                    continue
                if check is None or check(message):
                    return message
            return None

        return await self.world.wait_for(found, timeout, what=f"a message in #{channel.name}")
