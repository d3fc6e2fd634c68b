"""A bounded queue of prompts to send, worked by a few tasks that share one pacer.

When thousands of prompts fall due in the same minute, the scheduler's jobs only enqueue
prompt ids (waiting when the queue is full, so memory stays bounded); at most `workers`
tasks send them, no faster than the pacer allows, so the bot stays under Discord's global
limit of 50 requests per second instead of bouncing off 429s. Workers start when there is
work and end when the queue is empty or the bot is stopping, so nothing idles or leaks
across restarts. No discord import: the send function is passed in (testable with a fake).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

# Discord allows 50 requests/s per bot in total; leave room for everything else Lantern does.
DEFAULT_RATE = 45.0
DEFAULT_WORKERS = 16
DEFAULT_MAXSIZE = 1_000


class Pacer:
    """Spaces calls `1/rate` seconds apart (no bursts: Discord's windows are fixed)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._next = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        slot = max(now, self._next)
        self._next = slot + 1.0 / self.rate
        if slot > now:
            await asyncio.sleep(slot - now)


class PromptQueue:
    def __init__(
        self,
        send: Callable[[int], Awaitable[None]],
        *,
        stopping: Callable[[], bool] = lambda: False,
        workers: int = DEFAULT_WORKERS,
        maxsize: int = DEFAULT_MAXSIZE,
        rate: float = DEFAULT_RATE,
    ) -> None:
        self._send = send
        self._stopping = stopping
        self._queue: asyncio.Queue[int] = asyncio.Queue(maxsize=maxsize)
        self._max_workers = workers
        self._workers: set[asyncio.Task[None]] = set()
        self._queued: set[int] = set()
        self.pacer = Pacer(rate)
        self.sent = 0
        self.peak = 0

    @property
    def maxsize(self) -> int:
        return self._queue.maxsize

    def pending(self) -> int:
        return len(self._queued)

    async def put(self, prompt_id: int) -> None:
        """Queue a prompt (once); waits while the queue is full."""
        if prompt_id in self._queued:
            return
        self._queued.add(prompt_id)
        self._spawn()
        await self._queue.put(prompt_id)
        self.peak = max(self.peak, self._queue.qsize())
        self._spawn()

    async def idle(self) -> None:
        """Wait until everything queued has been handled (tests and benchmarks)."""
        await self._queue.join()

    async def stop(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Let sends in flight finish (a cancelled request may have reached Discord without
        being recorded), then stop. What is still queued stays 'queued' in the database
        and goes out after the restart."""
        self._stopping = lambda: True
        if self._workers:
            _, late = await asyncio.wait(self._workers, timeout=timeout)
            for task in late:
                task.cancel()

    def _spawn(self) -> None:
        if self._stopping():
            return
        wanted = min(self._max_workers, self._queue.qsize())
        while len(self._workers) < wanted:
            task = asyncio.create_task(self._work(), name="checkins:delivery")
            self._workers.add(task)
            task.add_done_callback(self._workers.discard)

    async def _work(self) -> None:
        while not self._stopping():
            try:
                prompt_id = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            try:
                await self._send(prompt_id)
                self.sent += 1
            except Exception:
                log.exception("could not deliver a check-in prompt", extra={"prompt_id": prompt_id})
            finally:
                self._queued.discard(prompt_id)
                self._queue.task_done()
