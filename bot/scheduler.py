"""The bot's one scheduler. Features own their jobs under stable ids
(`<feature>:<kind>:<id>`) and rebuild them from the database at start-up, so the
database stays the source of truth and no job store (or pickling) is needed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.date import DateTrigger

log = logging.getLogger(__name__)

JobFunc = Callable[..., Coroutine[Any, Any, Any]]


class Scheduler:
    def __init__(self) -> None:
        self._aps = AsyncIOScheduler(
            timezone="UTC",
            # Per-job choices override these; by default a late job runs once, not in a burst.
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
        )
        self._aps.add_listener(self._on_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED)
        # `_on_event` logs each failure once, with the job id; APScheduler's own ERROR would
        # repeat it, and would call a job cancelled by a clean shutdown an error.
        logging.getLogger("apscheduler.executors.default").setLevel(logging.CRITICAL)
        self._closing = False

    @property
    def running(self) -> bool:
        return self._aps.running

    def start(self) -> None:
        """Start inside the running event loop."""
        self._aps.start()

    def shutdown(self) -> None:
        self._closing = True
        if self._aps.running:
            self._aps.shutdown(wait=False)

    def at(
        self,
        job_id: str,
        when: datetime,
        func: JobFunc,
        *args: Any,
        grace_seconds: int | None = 60,
        max_instances: int = 1,
    ) -> Job:
        """Run `func(*args)` once at `when` (aware datetime); replaces a job with that id."""
        return self.add(
            job_id,
            DateTrigger(run_date=when),
            func,
            *args,
            grace_seconds=grace_seconds,
            max_instances=max_instances,
        )

    def add(
        self,
        job_id: str,
        trigger: BaseTrigger,
        func: JobFunc,
        *args: Any,
        grace_seconds: int | None = 60,
        max_instances: int = 1,
    ) -> Job:
        return self._aps.add_job(
            func,
            trigger,
            args=args,
            id=job_id,
            replace_existing=True,
            misfire_grace_time=grace_seconds,
            max_instances=max_instances,
        )

    def remove(self, job_id: str) -> bool:
        if self._aps.get_job(job_id) is None:
            return False
        self._aps.remove_job(job_id)
        return True

    def remove_prefix(self, prefix: str) -> int:
        jobs = [job for job in self._aps.get_jobs() if job.id.startswith(prefix)]
        for job in jobs:
            job.remove()
        return len(jobs)

    def jobs(self, prefix: str = "") -> list[Job]:
        return [job for job in self._aps.get_jobs() if job.id.startswith(prefix)]

    def wakeup(self) -> None:
        """Re-check what is due now (after the clock moved, in tests and the sandbox)."""
        self._aps.wakeup()

    def _on_event(self, event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning("scheduled job missed its window", extra={"job_id": event.job_id})
        elif event.exception is not None and self._closing:
            # A job cut short by shutdown (cancelled, or the database already closed) is
            # rebuilt from the database at the next start: not an error.
            log.warning("scheduled job interrupted by shutdown", extra={"job_id": event.job_id})
        elif event.exception is not None:
            log.error(
                "scheduled job failed",
                exc_info=(type(event.exception), event.exception, event.exception.__traceback__),
                extra={"job_id": event.job_id},
            )
