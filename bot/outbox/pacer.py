"""The shared pacer for bulk sends (check-in prompts, reminders, log lines)."""

from __future__ import annotations

import asyncio
import time

DEFAULT_RATE = 45.0
"""Paced sends per second: Discord allows 50 per bot, leaving room for everything else."""


class Pacer:
    """Spaces calls `1/rate` seconds apart (no bursts: Discord's windows are fixed). Leaves
    room under Discord's 50 requests/s for everything else the bot does."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._next = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        slot = max(now, self._next)
        self._next = slot + 1.0 / self.rate
        if slot > now:
            await asyncio.sleep(slot - now)
