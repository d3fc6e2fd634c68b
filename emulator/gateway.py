"""The gateway: one websocket endpoint speaking Discord's JSON protocol in text frames.

HELLO -> IDENTIFY -> READY (+ one GUILD_CREATE per guild), heartbeats ACKed, dispatches
numbered by sequence. A session keeps every dispatch it sent, so a RESUME after a dropped
connection replays what was missed and then sends RESUMED. Faults can drop the connection
(resumable or not: without a session, events are not kept and a RESUME gets op 9), send op 7
RECONNECT or op 9 INVALID_SESSION. No ETF, no compression (pitfall 2).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from emulator import payloads
from emulator.dispatch import Intents
from emulator.state import World

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT = 0, 1, 2, 6, 7
REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11
HEARTBEAT_INTERVAL_MS = 41_250
REPLAY_LIMIT = 50_000


@dataclass(eq=False)
class Connection:
    ws: web.WebSocketResponse
    request: web.Request
    outbox: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    writer: asyncio.Task[None] | None = None

    def send(self, frame: str) -> None:
        self.outbox.put_nowait(frame)


@dataclass(eq=False)
class Session:
    id: str
    intents: int
    seq: int = 0
    sent: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=REPLAY_LIMIT))
    connection: Connection | None = None


@dataclass
class GatewayStats:
    identifies: int = 0
    resumes: int = 0
    dispatched: int = 0
    first_dispatch: float | None = None
    last_dispatch: float | None = None

    def reset(self) -> None:
        """Start a new measurement window (e.g. before a burst in a benchmark)."""
        self.dispatched = 0
        self.first_dispatch = self.last_dispatch = None

    def dispatch_rate(self) -> float:
        """Dispatches per second between the first and last one sent."""
        if not self.first_dispatch or not self.last_dispatch or self.dispatched < 2:
            return 0.0
        span = self.last_dispatch - self.first_dispatch
        return self.dispatched / span if span > 0 else float("inf")


class Gateway:
    def __init__(self, world: World, *, token: str, resume_url: Callable[[], str]) -> None:
        self.world = world
        self.token = token
        self.resume_url = resume_url
        self.session: Session | None = None
        self.connections: set[Connection] = set()
        self.stats = GatewayStats()
        self.ready = asyncio.Event()

    # --- what the dispatcher uses ------------------------------------------------------------

    @property
    def intents(self) -> int | None:
        return self.session.intents if self.session else None

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        session = self.session
        if session is None:
            return
        session.seq += 1
        frame = json.dumps({"op": DISPATCH, "t": event, "s": session.seq, "d": data})
        session.sent.append((session.seq, frame))
        if session.connection is not None:
            session.connection.send(frame)
        now = time.perf_counter()
        self.stats.dispatched += 1
        self.stats.first_dispatch = self.stats.first_dispatch or now
        self.stats.last_dispatch = now

    @property
    def connected(self) -> bool:
        return self.session is not None and self.session.connection is not None

    # --- websocket handler -------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = Connection(ws=ws, request=request)
        conn.writer = asyncio.create_task(self._write(conn), name="emulator-gateway-writer")
        self.connections.add(conn)
        conn.send(_frame(HELLO, {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}))
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    await self._receive(conn, json.loads(msg.data))
                except Exception:
                    log.exception("emulator: gateway failed on %s", msg.data[:200])
                    raise
        finally:
            self._detach(conn)
        return ws

    async def _receive(self, conn: Connection, msg: dict[str, Any]) -> None:
        op, data = msg.get("op"), msg.get("d")
        if op == HEARTBEAT:
            conn.send(_frame(HEARTBEAT_ACK, None))
        elif op == IDENTIFY:
            await self._identify(conn, data or {})
        elif op == RESUME:
            await self._resume(conn, data or {})
        elif op == REQUEST_MEMBERS:
            self._request_members(data or {})
        else:
            log.debug("gateway op %s ignored", op)

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        old = self.session
        if old is not None and old.connection is not None and old.connection is not conn:
            await old.connection.ws.close(code=4009)
        intents = int(data.get("intents", 0))
        session = Session(id=secrets.token_hex(16), intents=intents, connection=conn)
        self.session = session
        self.stats.identifies += 1
        world = self.world
        guilds = [g for g in world.guilds.values() if world.bot.id in g.members]
        self.dispatch(
            "READY",
            {
                "v": 10,
                "user": {**payloads.user(world.bot), "verified": True, "mfa_enabled": False},
                "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
                "session_id": session.id,
                "resume_gateway_url": self.resume_url(),
                "shard": [0, 1],
                "application": {"id": str(world.application_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "guild_join_requests": [],
            },
        )
        with_members = bool(intents & Intents.GUILD_MEMBERS)
        for guild in guilds:
            self.dispatch(
                "GUILD_CREATE",
                payloads.guild_create(
                    world, guild, for_user=world.bot.id, with_members=with_members
                ),
            )
        self.ready.set()
        world.touch()

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        session = self.session
        if (
            session is None
            or data.get("session_id") != session.id
            or data.get("token") != self.token
        ):
            conn.send(_frame(INVALID_SESSION, False))
            return
        if session.connection is not None and session.connection is not conn:
            await session.connection.ws.close(code=4009)
        last = int(data.get("seq") or 0)
        for seq, frame in session.sent:
            if seq > last:
                conn.send(frame)
        session.connection = conn
        self.stats.resumes += 1
        self.dispatch("RESUMED", {})
        self.world.touch()

    def _request_members(self, data: dict[str, Any]) -> None:
        guild = self.world.guilds.get(int(data.get("guild_id") or 0))
        if guild is None:
            return
        wanted = {int(u) for u in data.get("user_ids") or []}
        query = (data.get("query") or "").lower()
        found = [
            m
            for m in guild.members.values()
            if (not wanted or m.id in wanted) and m.user.username.lower().startswith(query)
        ]
        limit = int(data.get("limit") or 0)
        if limit:
            found = found[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [payloads.member(m) for m in found],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [str(u) for u in wanted - {m.id for m in found}],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    async def _write(self, conn: Connection) -> None:
        while True:
            frame = await conn.outbox.get()
            if frame is None or conn.ws.closed:
                return
            try:
                await conn.ws.send_str(frame)
            except (ConnectionError, RuntimeError):
                return

    def _detach(self, conn: Connection) -> None:
        self.connections.discard(conn)
        if self.session is not None and self.session.connection is conn:
            self.session.connection = None
        conn.outbox.put_nowait(None)
        self.world.touch()

    # --- faults and shutdown -----------------------------------------------------------------

    def _current(self) -> Connection:
        if self.session is None or self.session.connection is None:
            raise RuntimeError("the bot is not connected to the emulated gateway")
        return self.session.connection

    async def drop(self, code: int | None = None, *, resumable: bool = True) -> None:
        """Drop the bot's connection: abruptly (no close frame) or with a close `code`.

        Not resumable: the session ends now, so nothing is kept for a RESUME (it gets op 9)
        and events until the next IDENTIFY go nowhere.
        """
        conn = self._current()
        if not resumable:
            self.session = None
        self._detach(conn)
        if code is None:
            transport = conn.request.transport
            if transport is not None:
                transport.abort()
        else:
            await conn.ws.close(code=code)

    def send_reconnect(self) -> None:
        """op 7: the bot should close, reconnect and RESUME."""
        self._current().send(_frame(RECONNECT, None))

    def invalidate_session(self, *, resumable: bool = False) -> None:
        """op 9: with resumable=False the bot must IDENTIFY again (fresh READY)."""
        conn = self._current()
        if not resumable:
            self.session = None
        conn.send(_frame(INVALID_SESSION, resumable))

    async def close(self) -> None:
        connections = list(self.connections)
        for conn in connections:
            self._detach(conn)
            await conn.ws.close(code=1001)
        writers = [c.writer for c in connections if c.writer is not None]
        for writer in writers:
            writer.cancel()
        await asyncio.gather(*writers, return_exceptions=True)


def _frame(op: int, data: Any) -> str:
    return json.dumps({"op": op, "d": data, "s": None, "t": None})
