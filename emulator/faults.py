"""Fault injection: make the emulated Discord misbehave on purpose.

REST faults match a route pattern: "POST /channels/{channel_id}/messages" (method and
template, as in the request log), "/channels/{channel_id}/messages" (any method), or a glob
("* /webhooks/*"). A failed request never reaches its handler, like a real outage.

    emu.faults.fail_next("POST /channels/{channel_id}/messages", times=1, status=500)
    emu.faults.fail_for("POST /channels/{channel_id}/messages", 2.0, status=503)
    emu.faults.rate_limit_next("/channels/*", times=2, retry_after=0.05, is_global=False)
    emu.faults.rate_limit_for("/channels/*", 1.5, retry_after=0.1)
    emu.faults.stall("GET /guilds/{guild_id}", 0.3)      # `slow` is the same fault
    emu.faults.reset_next("POST /channels/{channel_id}/messages")
    await emu.faults.drop_connection()                   # the bot should RESUME
    await emu.faults.drop_connection(resumable=False)    # RESUME fails: events are lost
    emu.faults.send_reconnect()                          # op 7
    emu.faults.invalidate_session()                      # op 9, fresh IDENTIFY

Count-based faults (`*_next`, `times=`) are used up one per matching request; time-based
ones (`*_for`) answer every matching request until that many seconds of real (monotonic)
time have passed since they were set. One request meets at most one failing fault (the
oldest that matches); every matching stall also applies. The request log records each
faulted request with the status the bot got, and `NO_RESPONSE` (0) for a reset.

What discord.py 2.7 does with them: it retries 429 (sleeping `retry_after`) and 500, 502,
504, 524 (sleeping 1 s, 3 s, 5 s, ...), five tries in all per request, then raises (a plain
HTTPException with status 429 after a longer storm, DiscordServerError after 5xx); it raises
DiscordServerError at once on any other 5xx (503 is the quick one).
A reset surfaces as aiohttp.ServerDisconnectedError, not a discord.HTTPException, and
discord.py does not retry it (it only retries errno 54/10054, i.e. ECONNRESET on macOS and
Windows); but aiohttp itself resends an idempotent request (GET, PUT, DELETE, HEAD, OPTIONS)
once, so a single reset of those goes unnoticed: use times=2.
"""

from __future__ import annotations

import fnmatch
import time
from dataclasses import dataclass

from emulator.gateway import Gateway

NO_RESPONSE = 0
"""Status recorded in the request log for a request whose connection was reset."""
TERMINAL_KINDS = frozenset({"status", "rate_limit", "reset"})


@dataclass
class Fault:
    pattern: str
    kind: str
    """"status", "rate_limit", "slow" or "reset"."""
    times: int | None
    """How many more requests it applies to; None = until cleared or expired."""
    status: int = 500
    retry_after: float = 0.05
    is_global: bool = False
    delay: float = 0.0
    until: float | None = None
    """time.monotonic() after which it no longer applies (time-based faults)."""

    def matches(self, method: str, template: str, path: str = "") -> bool:
        """Against the route template ("/channels/{channel_id}/messages") or, for a pattern
        naming a concrete place ("POST /channels/123/messages"), the request's path."""
        pattern = self.pattern
        if pattern in ("*", ""):
            return True
        for route in {template, path} - {""}:
            if pattern.startswith("/") and fnmatch.fnmatchcase(route, pattern):
                return True
            if fnmatch.fnmatchcase(f"{method} {route}", pattern):
                return True
        return False

    def expired(self, now: float) -> bool:
        return self.until is not None and now >= self.until


class Faults:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.active: list[Fault] = []

    # --- REST: the next N requests -----------------------------------------------------------

    def fail_next(self, route: str = "*", *, times: int = 1, status: int = 500) -> None:
        """The next `times` matching requests answer `status` (a 5xx) with no effect."""
        self.active.append(Fault(route, "status", times, status=status))

    def rate_limit_next(
        self,
        route: str = "*",
        *,
        times: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
    ) -> None:
        """The next `times` matching requests get a real 429 (a storm if times is large)."""
        self.active.append(
            Fault(route, "rate_limit", times, retry_after=retry_after, is_global=is_global)
        )

    def slow(self, route: str = "*", *, delay: float = 0.2, times: int | None = None) -> None:
        """Hold matching requests `delay` seconds, then answer normally (all of them unless
        `times`). `stall` is the same fault."""
        self.active.append(Fault(route, "slow", times, delay=delay))

    def stall(self, route: str, seconds: float, *, times: int | None = None) -> None:
        """Hold matching requests `seconds`, then answer normally: `slow` under another name."""
        self.slow(route, delay=seconds, times=times)

    def reset_next(self, route: str = "*", *, times: int = 1) -> None:
        """Close the connection of the next `times` matching requests with no HTTP response;
        the request has no effect. The bot sees aiohttp.ServerDisconnectedError (see above for
        aiohttp's silent resend of idempotent requests)."""
        self.active.append(Fault(route, "reset", times))

    # --- REST: for a while -------------------------------------------------------------------

    def rate_limit_for(
        self,
        route: str,
        seconds: float,
        *,
        retry_after: float = 0.05,
        is_global: bool = False,
    ) -> None:
        """Every matching request gets a real 429 until `seconds` of real time have passed."""
        self.active.append(
            Fault(
                route,
                "rate_limit",
                None,
                retry_after=retry_after,
                is_global=is_global,
                until=time.monotonic() + seconds,
            )
        )

    def fail_for(self, route: str, seconds: float, *, status: int = 503) -> None:
        """Every matching request answers `status` until `seconds` of real time have passed
        (503: discord.py raises DiscordServerError at once; 500/502/504: it keeps retrying)."""
        self.active.append(
            Fault(route, "status", None, status=status, until=time.monotonic() + seconds)
        )

    def clear(self) -> None:
        self.active.clear()

    def take(self, method: str, template: str, path: str = "") -> list[Fault]:
        """Faults that apply to this request: every stall, then at most one failing fault.
        Count-based ones are used up by one each; expired ones are dropped."""
        now = time.monotonic()
        hits: list[Fault] = []
        failing = False
        for fault in list(self.active):
            if fault.expired(now):
                self.active.remove(fault)
                continue
            if not fault.matches(method, template, path):
                continue
            if fault.kind in TERMINAL_KINDS:
                if failing:
                    continue  # keep it for a later request
                failing = True
            hits.append(fault)
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.active.remove(fault)
        return hits

    # --- gateway -----------------------------------------------------------------------------

    async def drop_connection(
        self, code: int | None = None, *, resumable: bool = True, shard: int = 0
    ) -> None:
        """Cut the bot's gateway connection (no close frame unless `code`).

        resumable=True: the bot RESUMEs and gets every event it missed meanwhile.
        resumable=False: the session is gone, as when a RESUME comes too late; the bot's RESUME
        gets op 9, it IDENTIFYs again (fresh READY + GUILD_CREATE), and whatever happened while
        it was away is never sent: it must read history to catch up.
        `shard`: which shard's connection (a sharded bot has one per shard).
        """
        await self.gateway.drop(code, resumable=resumable, shard=shard)

    def send_reconnect(self, shard: int = 0) -> None:
        """Send op 7 RECONNECT; the bot closes, reconnects and RESUMEs."""
        self.gateway.send_reconnect(shard)

    def invalidate_session(self, *, resumable: bool = False, shard: int = 0) -> None:
        """Send op 9 INVALID_SESSION; unless resumable, the bot IDENTIFYs again."""
        self.gateway.invalidate_session(resumable=resumable, shard=shard)
