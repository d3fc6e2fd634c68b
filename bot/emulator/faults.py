"""Fault injection: make the emulated Discord misbehave on purpose.

REST faults match a route pattern: "POST /channels/{channel_id}/messages" (method and
template, as in the request log), "/channels/{channel_id}/messages" (any method), or a glob
("* /webhooks/*"). A failed request never reaches its handler, like a real outage.

    emu.faults.fail_next("POST /channels/{channel_id}/messages", times=1, status=500)
    emu.faults.rate_limit_next("/channels/*", times=2, retry_after=0.05, is_global=False)
    emu.faults.slow("GET /guilds/{guild_id}", delay=0.3)
    await emu.faults.drop_connection()        # the bot should RESUME
    emu.faults.send_reconnect()               # op 7
    emu.faults.invalidate_session()           # op 9, fresh IDENTIFY

Note discord.py retries 500/502/504/524 after sleeping 1 s, 3 s, ... and raises at once on
other 5xx (use 503 for a quick DiscordServerError).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from bot.emulator.gateway import Gateway


@dataclass
class Fault:
    pattern: str
    kind: str
    """"status", "rate_limit" or "slow"."""
    times: int | None
    """How many more requests it applies to; None = until cleared."""
    status: int = 500
    retry_after: float = 0.05
    is_global: bool = False
    delay: float = 0.0

    def matches(self, method: str, template: str) -> bool:
        pattern = self.pattern
        if pattern in ("*", ""):
            return True
        if pattern.startswith("/"):
            return fnmatch.fnmatchcase(template, pattern)
        return fnmatch.fnmatchcase(f"{method} {template}", pattern)


class Faults:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.active: list[Fault] = []

    # --- REST --------------------------------------------------------------------------------

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
        """Add `delay` seconds before answering matching requests."""
        self.active.append(Fault(route, "slow", times, delay=delay))

    def clear(self) -> None:
        self.active.clear()

    def take(self, method: str, template: str) -> list[Fault]:
        """Faults that apply to this request (used up by one each)."""
        hits = []
        for fault in list(self.active):
            if not fault.matches(method, template):
                continue
            hits.append(fault)
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.active.remove(fault)
        return hits

    # --- gateway -----------------------------------------------------------------------------

    async def drop_connection(self, code: int | None = None) -> None:
        """Cut the bot's gateway connection (no close frame unless `code`); it should RESUME."""
        await self.gateway.drop(code)

    def send_reconnect(self) -> None:
        """Send op 7 RECONNECT; the bot closes, reconnects and RESUMEs."""
        self.gateway.send_reconnect()

    def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION; unless resumable, the bot IDENTIFYs again."""
        self.gateway.invalidate_session(resumable=resumable)
