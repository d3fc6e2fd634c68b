"""bot/timers.RepeatTimer on the real scheduler: arming, re-arming, rebuild, cancel."""

import asyncio
from datetime import UTC, datetime, timedelta

from bot.clock import FakeClock
from bot.scheduler import Scheduler
from bot.timers import RepeatTimer

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


async def _until(predicate, deadline: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while not predicate():
        assert loop.time() < end, "timed out"
        await asyncio.sleep(0.005)


async def test_fires_rearms_until_done_and_ids_are_stable() -> None:
    scheduler, clock = Scheduler(), FakeClock(START)
    fired: list[tuple[int, datetime]] = []

    async def fire(key: int, due: datetime, now: datetime) -> datetime | None:
        fired.append((key, due))
        # Two repeats, then done (acknowledged).
        return START - timedelta(minutes=1) if len(fired) < 3 else None

    timer = RepeatTimer(scheduler, clock, "test:repeat", fire)
    scheduler.start()
    try:
        timer.arm(7, START - timedelta(minutes=5))  # overdue: runs at once
        assert [job.id for job in scheduler.jobs("test:repeat:")] in (["test:repeat:7"], [])
        await _until(lambda: len(fired) == 3)
        await _until(lambda: timer.armed() == [])
        assert [key for key, _ in fired] == [7, 7, 7]
        assert fired[0][1] == START - timedelta(minutes=5)
    finally:
        scheduler.shutdown()


async def test_rebuild_arms_each_pending_key_and_cancel_removes_it() -> None:
    scheduler, clock = Scheduler(), FakeClock(START)

    async def fire(key: int, due: datetime, now: datetime) -> datetime | None:
        raise AssertionError("not due yet")

    timer = RepeatTimer(scheduler, clock, "test:later", fire)
    scheduler.start()
    try:
        later = START + timedelta(days=1)
        assert timer.rebuild([(1, later), (2, later)]) == 2
        assert sorted(timer.armed()) == [1, 2]
        timer.arm(1, later + timedelta(hours=1))  # re-arming replaces, never duplicates
        assert sorted(timer.armed()) == [1, 2]
        timer.cancel(1)
        assert timer.armed() == [2]
        timer.stop()
        assert timer.armed() == []
    finally:
        scheduler.shutdown()
