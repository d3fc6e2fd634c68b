"""The gateway: one websocket endpoint speaking Discord's JSON protocol in text frames.

HELLO -> IDENTIFY -> READY (+ one GUILD_CREATE per guild), heartbeats ACKed, dispatches
numbered by sequence. A session keeps every dispatch it sent, so a RESUME after a dropped
connection replays what was missed and then sends RESUMED. Faults can drop the connection
(resumable or not: without a session, events are not kept and a RESUME gets op 9), send op 7
RECONNECT or op 9 INVALID_SESSION. No ETF, no compression (pitfall 2).

Shards: IDENTIFY may carry `shard: [shard_id, num_shards]`; each shard is its own session
(own id, sequence and replay), possibly from another process. A server's events go to the
session of shard `(guild_id >> 22) % num_shards`; events without a server (DMs) to shard 0.
READY lists, and GUILD_CREATE follows for, that shard's servers only. Refused as Discord
does: a shard id outside 0..num_shards-1 closes with 4010 (Invalid shard), a session that
would hold more than `max_guilds_per_session` servers with 4011 (Sharding required), an
IDENTIFY sooner than `identify_interval` after the last one of its bucket
(`shard_id % max_concurrency`) gets op 9 (Discord's answer when identifying too fast). A
second IDENTIFY for a shard already connected replaces the older session (closed with 4009,
"Session timed out", the code that tells a client to identify afresh). Without `shard`, a
session is shard 0 of 1, as before.
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
    shard: int = 0
    count: int = 1
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
    per_shard: dict[int, int] = field(default_factory=dict)
    """Dispatches sent to each shard's session."""

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


MAX_GUILDS_PER_SESSION = 2_500
"""Discord requires sharding from 2,500 servers per session (close code 4011)."""
GUILD_EVENTS_BY_ID = frozenset({"GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"})


def shard_of(guild_id: int | None, count: int) -> int:
    return 0 if guild_id is None else (guild_id >> 22) % count


class Gateway:
    def __init__(
        self,
        world: World,
        *,
        token: str,
        resume_url: Callable[[], str],
        max_guilds_per_session: int = MAX_GUILDS_PER_SESSION,
        identify_interval: float = 0.0,
        max_concurrency: int = 1,
    ) -> None:
        """`identify_interval`: Discord allows one IDENTIFY per 5 s per concurrency bucket;
        0 (the default) lets tests restart a bot at once; tests of that rule set 5."""
        self.world = world
        self.token = token
        self.resume_url = resume_url
        self.max_guilds_per_session = max_guilds_per_session
        self.identify_interval = identify_interval
        self.max_concurrency = max_concurrency
        self.sessions: dict[int, Session] = {}
        """The live session of each shard (an unsharded bot's is shard 0)."""
        self.connections: set[Connection] = set()
        self.stats = GatewayStats()
        self.ready = asyncio.Event()
        self._identified: dict[int, float] = {}  # bucket -> monotonic time of its last IDENTIFY

    @property
    def session(self) -> Session | None:
        """Shard 0's session (the only one of an unsharded bot)."""
        return self.sessions.get(0)

    # --- what the dispatcher uses ------------------------------------------------------------

    @property
    def intents(self) -> int | None:
        session = self.session or next(iter(self.sessions.values()), None)
        return session.intents if session else None

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        raw = data.get("id") if event in GUILD_EVENTS_BY_ID else data.get("guild_id")
        guild_id = int(raw) if raw is not None else None
        for session in list(self.sessions.values()):
            if shard_of(guild_id, session.count) == session.shard:
                self._send(session, event, data)

    def _send(self, session: Session, event: str, data: dict[str, Any]) -> None:
        session.seq += 1
        frame = json.dumps({"op": DISPATCH, "t": event, "s": session.seq, "d": data})
        session.sent.append((session.seq, frame))
        if session.connection is not None:
            session.connection.send(frame)
        now = time.perf_counter()
        self.stats.dispatched += 1
        self.stats.per_shard[session.shard] = self.stats.per_shard.get(session.shard, 0) + 1
        self.stats.first_dispatch = self.stats.first_dispatch or now
        self.stats.last_dispatch = now

    @property
    def connected(self) -> bool:
        return self.session is not None and self.session.connection is not None

    def connected_shards(self) -> dict[int, str]:
        """{shard id: session id} of the shards connected right now."""
        return {s.shard: s.id for s in self.sessions.values() if s.connection is not None}

    def recommended_shards(self) -> int:
        """GET /gateway/bot's `shards`: Discord's rule, one per 1,000 servers."""
        guilds = sum(1 for g in self.world.guilds.values() if self.world.bot.id in g.members)
        return max(1, -(-guilds // 1000))

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
            await self._request_members(conn, data or {})
        else:
            log.debug("gateway op %s ignored", op)

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        shard, count = _shard(data.get("shard"))
        if not 0 <= shard < count:
            await conn.ws.close(code=4010, message=b"Invalid shard.")
            return
        world = self.world
        guilds = [
            g
            for g in world.guilds.values()
            if world.bot.id in g.members and shard_of(g.id, count) == shard
        ]
        if len(guilds) > self.max_guilds_per_session:
            await conn.ws.close(code=4011, message=b"Sharding required.")
            return
        if self.identify_interval > 0:
            bucket = shard % max(1, self.max_concurrency)
            now = time.monotonic()
            last = self._identified.get(bucket)
            if last is not None and now - last < self.identify_interval:
                conn.send(_frame(INVALID_SESSION, False))  # identified too fast
                return
            self._identified[bucket] = now
        old = self.sessions.get(shard)
        if old is not None and old.connection is not None and old.connection is not conn:
            await old.connection.ws.close(code=4009)
        intents = int(data.get("intents", 0))
        session = Session(
            id=secrets.token_hex(16), intents=intents, shard=shard, count=count, connection=conn
        )
        self.sessions[shard] = session
        self.stats.identifies += 1
        self._send(
            session,
            "READY",
            {
                "v": 10,
                "user": {**payloads.user(world.bot), "verified": True, "mfa_enabled": False},
                "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
                "session_id": session.id,
                "resume_gateway_url": self.resume_url(),
                "shard": [shard, count],
                "application": {"id": str(world.application_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "guild_join_requests": [],
            },
        )
        with_members = bool(intents & Intents.GUILD_MEMBERS)
        for guild in guilds:
            self._send(
                session,
                "GUILD_CREATE",
                payloads.guild_create(
                    world, guild, for_user=world.bot.id, with_members=with_members
                ),
            )
        self.ready.set()
        world.touch()

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        session = next((s for s in self.sessions.values() if s.id == data.get("session_id")), None)
        if session is None or data.get("token") != self.token:
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
        self._send(session, "RESUMED", {})
        self.world.touch()

    async def _request_members(self, conn: Connection, data: dict[str, Any]) -> None:
        session = next((s for s in self.sessions.values() if s.connection is conn), None)
        guild = self.world.guilds.get(int(data.get("guild_id") or 0))
        if session is None or guild is None:
            return
        if shard_of(guild.id, session.count) != session.shard:
            # Discord answers only on the shard that carries the server.
            await conn.ws.close(code=4010, message=b"Invalid shard.")
            return
        if len(data.get("user_ids") or []) > 100:
            await conn.ws.close(code=4002, message=b"Error while decoding payload.")
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
        self._send(session, "GUILD_MEMBERS_CHUNK", chunk)

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
        for session in self.sessions.values():
            if session.connection is conn:
                session.connection = None
        conn.outbox.put_nowait(None)
        self.world.touch()

    # --- faults and shutdown -----------------------------------------------------------------

    def _connection_of(self, shard: int) -> Connection:
        session = self.sessions.get(shard)
        if session is None or session.connection is None:
            raise RuntimeError(f"the bot is not connected to the emulated gateway (shard {shard})")
        return session.connection

    async def drop(
        self, code: int | None = None, *, resumable: bool = True, shard: int = 0
    ) -> None:
        """Drop the bot's connection (of `shard`): abruptly (no close frame) or with a close
        `code`.

        Not resumable: the session ends now, so nothing is kept for a RESUME (it gets op 9)
        and events until the next IDENTIFY go nowhere.
        """
        conn = self._connection_of(shard)
        if not resumable:
            del self.sessions[shard]
        self._detach(conn)
        if code is None:
            transport = conn.request.transport
            if transport is not None:
                transport.abort()
        else:
            await conn.ws.close(code=code)

    def send_reconnect(self, shard: int = 0) -> None:
        """op 7: the bot should close, reconnect and RESUME."""
        self._connection_of(shard).send(_frame(RECONNECT, None))

    def invalidate_session(self, *, resumable: bool = False, shard: int = 0) -> None:
        """op 9: with resumable=False the bot must IDENTIFY again (fresh READY)."""
        conn = self._connection_of(shard)
        if not resumable:
            del self.sessions[shard]
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


def _shard(value: Any) -> tuple[int, int]:
    """IDENTIFY's `shard` ([shard_id, num_shards]); none means shard 0 of 1."""
    if value is None:
        return 0, 1
    try:
        shard, count = (int(v) for v in value)
    except (TypeError, ValueError):
        return -1, 0  # refused as an invalid shard
    return shard, count


def _frame(op: int, data: Any) -> str:
    return json.dumps({"op": op, "d": data, "s": None, "t": None})
