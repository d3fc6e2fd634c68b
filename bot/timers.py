"""Durable "repeat until done" timers: crisis re-alerts, talk re-announcements.

The owner keeps the due time in its own table (the source of truth) and its own
compare-and-set claim; a `RepeatTimer` only arms scheduler jobs for those due times, rebuilds
them at start-up, and re-arms after each firing. The owner's `fire(key, due, now)` claims the
repeat (so a restart or a second process never repeats it twice), does the work, and returns
the next due time, or None when the work is done (acknowledged, answered, gone).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime

from bot.clock import Clock
from bot.scheduler import Scheduler

Fire = Callable[[int, datetime, datetime], Awaitable[datetime | None]]


class RepeatTimer:
    def __init__(self, scheduler: Scheduler, clock: Clock, name: str, fire: Fire) -> None:
        self._scheduler = scheduler
        self._clock = clock
        self._prefix = f"{name}:"
        self._fire = fire

    def job_id(self, key: int) -> str:
        return f"{self._prefix}{key}"

    def arm(self, key: int, due: datetime) -> None:
        """Fire at `due` (or at once if it is past); replaces any earlier arming of `key`."""
        # grace None: a repeat due while the bot was down runs as soon as it is back.
        # Two instances: the next repeat is armed from inside the current run, and one
        # already due must not be skipped as "still running"; the owner's claim is what
        # keeps a repeat from happening twice.
        self._scheduler.at(
            self.job_id(key),
            max(due, self._clock.now()),
            self._run,
            key,
            due.isoformat(),
            grace_seconds=None,
            max_instances=2,
        )

    def cancel(self, key: int) -> None:
        self._scheduler.remove(self.job_id(key))

    def rebuild(self, pending: Iterable[tuple[int, datetime]]) -> int:
        """At start-up: arm every (key, due) the database still holds."""
        count = 0
        for key, due in pending:
            self.arm(key, due)
            count += 1
        return count

    def stop(self) -> None:
        self._scheduler.remove_prefix(self._prefix)

    def armed(self) -> list[int]:
        return [
            int(job.id.removeprefix(self._prefix)) for job in self._scheduler.jobs(self._prefix)
        ]

    async def _run(self, key: int, due_iso: str) -> None:
        next_due = await self._fire(key, datetime.fromisoformat(due_iso), self._clock.now())
        if next_due is not None:
            self.arm(key, next_due)
