"""Letting the bot's scheduler catch up in a test."""

from __future__ import annotations

import asyncio

from bot.client import LanternBot


async def settle(bot: LanternBot) -> None:
    """Run the jobs due now and wait for them to finish (a job still running at shutdown
    would be cancelled)."""
    bot.scheduler.wakeup()
    executor = bot.scheduler._aps._lookup_executor("default")  # type: ignore[attr-defined]
    for _ in range(3):  # wakeup() processes jobs on the next turns of the loop
        await asyncio.sleep(0)
    while pending := [f for f in executor._pending_futures if not f.done()]:
        await asyncio.wait(pending, timeout=5)
