"""Discord-style rate limits: per-route buckets and a global limit, with real 429s.

Off by default (tests run fast); on for benchmarks and rate-limit tests. When on, every
response carries X-RateLimit-Limit/Remaining/Reset/Reset-After/Bucket so discord.py's own
bucket logic runs, and a 429 carries `Retry-After`, a JSON `retry_after`/`global`, and
`Via: 1.1 google` (without Via discord.py takes a 429 for a Cloudflare ban, pitfall 5).
Buckets are fixed windows keyed by route template + major parameter (channel, guild or
webhook), like Discord's. Interaction callbacks have no bucket and, with webhooks, do not
count against the global limit.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limit:
    limit: int
    per: float
    """Window length in seconds."""


DEFAULT_ROUTE_LIMIT = Limit(50, 1.0)
DEFAULT_GLOBAL_LIMIT = Limit(50, 1.0)
ROUTE_LIMITS: dict[str, Limit] = {
    "POST /channels/{channel_id}/messages": Limit(5, 5.0),
    "PATCH /channels/{channel_id}/messages/{message_id}": Limit(5, 5.0),
    "DELETE /channels/{channel_id}/messages/{message_id}": Limit(5, 1.0),
    "POST /channels/{channel_id}/messages/bulk-delete": Limit(1, 1.0),
    "PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me": Limit(1, 0.25),
    "PATCH /channels/{channel_id}": Limit(5, 10.0),
    "POST /guilds/{guild_id}/channels": Limit(5, 10.0),
    "PATCH /guilds/{guild_id}/members/{user_id}": Limit(10, 10.0),
    "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}": Limit(10, 10.0),
    "DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}": Limit(10, 10.0),
    "POST /guilds/{guild_id}/roles": Limit(250, 48 * 3600.0),
    "PUT /applications/{application_id}/commands": Limit(5, 20.0),
    "PUT /applications/{application_id}/guilds/{guild_id}/commands": Limit(5, 20.0),
    "POST /webhooks/{webhook_id}/{webhook_token}": Limit(5, 2.0),
    "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original": Limit(5, 2.0),
}
UNLIMITED_ROUTES = frozenset({"POST /interactions/{webhook_id}/{webhook_token}/callback"})
GLOBAL_EXEMPT_PREFIXES = ("/interactions/", "/webhooks/")
MAJOR_PARAMETERS = ("channel_id", "guild_id", "webhook_id", "webhook_token")


@dataclass
class _Window:
    limit: Limit
    count: int = 0
    reset_at: float = 0.0

    def roll(self, now: float) -> None:
        if now >= self.reset_at:
            self.count = 0
            self.reset_at = now + self.limit.per


@dataclass(frozen=True)
class Decision:
    allowed: bool
    headers: dict[str, str] = field(default_factory=dict)
    retry_after: float = 0.0
    is_global: bool = False


class RateLimiter:
    def __init__(self, *, enabled: bool = False) -> None:
        self.enabled = enabled
        self.route_limits: dict[str, Limit] = dict(ROUTE_LIMITS)
        self.default_limit = DEFAULT_ROUTE_LIMIT
        self.global_limit = DEFAULT_GLOBAL_LIMIT
        self._buckets: dict[tuple[str, str], _Window] = {}
        self._global = _Window(self.global_limit)

    def configure(self, route: str, limit: int, per: float) -> None:
        """Set a route's bucket, e.g. configure("POST /channels/{channel_id}/messages", 2, 0.2)."""
        self.route_limits[route] = Limit(limit, per)
        self._buckets = {k: v for k, v in self._buckets.items() if k[0] != route}

    def configure_global(self, limit: int, per: float = 1.0) -> None:
        self.global_limit = Limit(limit, per)
        self._global = _Window(self.global_limit)

    def reset(self) -> None:
        self._buckets.clear()
        self._global = _Window(self.global_limit)

    def check(self, method: str, template: str, params: Mapping[str, str]) -> Decision:
        """Count one request; say whether it may proceed and which headers to send."""
        if not self.enabled:
            return Decision(True)
        key = f"{method} {template}"
        now_mono, now_wall = time.monotonic(), time.time()
        if not template.startswith(GLOBAL_EXEMPT_PREFIXES):
            self._global.roll(now_mono)
            if self._global.count >= self.global_limit.limit:
                retry = max(self._global.reset_at - now_mono, 0.001)
                return Decision(False, _too_many(retry, is_global=True), retry, is_global=True)
            self._global.count += 1
        if key in UNLIMITED_ROUTES:
            return Decision(True)
        limit = self.route_limits.get(key, self.default_limit)
        major = "+".join(params[p] for p in MAJOR_PARAMETERS if p in params)
        window = self._buckets.setdefault((key, major), _Window(limit))
        window.roll(now_mono)
        reset_after = max(window.reset_at - now_mono, 0.0)
        bucket = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:16]
        headers = {
            "X-RateLimit-Limit": str(limit.limit),
            "X-RateLimit-Bucket": bucket,
            "X-RateLimit-Reset": f"{now_wall + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        }
        if window.count >= limit.limit:
            headers["X-RateLimit-Remaining"] = "0"
            headers.update(_too_many(reset_after, is_global=False))
            return Decision(False, headers, max(reset_after, 0.001))
        window.count += 1
        headers["X-RateLimit-Remaining"] = str(limit.limit - window.count)
        return Decision(True, headers)


def _too_many(retry_after: float, *, is_global: bool) -> dict[str, str]:
    headers = {
        "Retry-After": str(max(1, math.ceil(retry_after))),
        "Via": "1.1 google",
        "X-RateLimit-Scope": "global" if is_global else "user",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    return headers


def too_many_body(retry_after: float, *, is_global: bool) -> dict[str, object]:
    return {
        "message": "You are being rate limited.",
        "retry_after": round(retry_after, 3),
        "global": is_global,
        "code": 0,
    }
