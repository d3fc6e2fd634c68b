"""Turning series into occurrence rows and occurrences into reminder rows (no Discord).

Occurrences exist `HORIZON` ahead of now, extended by a periodic job; reminders are rows with
a due time, re-planned whenever what they depend on changes (a move, a cancellation, lead
times, someone's DM choice, someone joining or leaving the cohort). The scheduler then only
ever needs one job: wake at the earliest pending reminder (see reminders.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from cogs.sessions.recurrence import DEFAULT_LEADS, occurrences, reminder_due
from cogs.sessions.reminder_store import PlannedReminder, ReminderStore
from cogs.sessions.store import Series, SessionStore

HORIZON = timedelta(days=28)
"""How far ahead occurrences exist (longer than the longest reminder lead, 7 days)."""
EVENT_WINDOW = timedelta(days=7)
"""How far ahead sessions are published as Discord events (Discord allows 100 per server)."""
GRACE = timedelta(minutes=5)
"""A reminder more than this late (the bot was down) is skipped, never sent late."""
_CHUNK = 200  # series per transaction: keeps the database lock short at a cold start


class Planner:
    def __init__(self, store: SessionStore, reminders: ReminderStore) -> None:
        self.store = store
        self.reminders = reminders

    async def extend(self, now: datetime, series: Sequence[Series] | None = None) -> list[int]:
        """Create the occurrences up to now + HORIZON (never in the past); plan their
        reminders. Returns the new occurrence ids. Idempotent: identities already there are
        kept as they are (a moved or cancelled occurrence stays so)."""
        until = now + HORIZON
        todo = list(series) if series is not None else await self.store.series_to_extend(until)
        new_ids: list[int] = []
        for first in range(0, len(todo), _CHUNK):
            chunk = todo[first : first + _CHUNK]
            planned = []
            for item in chunk:
                start = max(item.planned_until or now, now)
                found = occurrences(item.rule, start, until) if start < until else []
                planned.append((item, found))
            async with self.store.db.transaction() as tx:
                new_ids += await self.store.insert_occurrences(tx, planned)
                await self.store.set_planned(
                    tx, [(item.id, max(until, item.planned_until or until)) for item in chunk]
                )
        await self.plan(new_ids, now)
        return new_ids

    async def plan(
        self, occurrence_ids: Sequence[int], now: datetime, *, user_id: int | None = None
    ) -> int:
        """(Re)plan the pending reminders of these occurrences (only `user_id`'s DM reminders
        if given). Past, cancelled and already-due reminders are not planned. Returns how
        many."""
        total = 0
        leads = await self.reminders.all_leads()
        for first in range(0, len(occurrence_ids), 500):
            ids = list(occurrence_ids[first : first + 500])
            sessions = await self.store.sessions_by_ids(ids)
            people = await self.reminders.dm_people(sorted({s.cohort_id for s in sessions}))
            planned: list[PlannedReminder] = []
            for s in sessions:
                if s.cancelled or s.starts_at <= now:
                    continue
                wanted: list[tuple[int, int]] = []
                if user_id is None:
                    cohort_leads = leads.get(
                        (s.guild_id, s.cohort_id), leads.get((s.guild_id, 0), DEFAULT_LEADS)
                    )
                    wanted += [(0, lead) for lead in cohort_leads]
                wanted += [
                    (uid, lead)
                    for uid, lead in people.get(s.cohort_id, [])
                    if user_id is None or uid == user_id
                ]
                for uid, lead in wanted:
                    due = reminder_due(s.starts_at, s.timezone, lead)
                    if due > now:
                        planned.append(PlannedReminder(s.id, uid, lead, s.starts_at, due))
            async with self.store.db.transaction() as tx:
                await self.reminders.replace_pending(tx, ids, planned, user_id=user_id)
            total += len(planned)
        return total

    async def replan_cohorts(
        self, cohort_ids: Sequence[int], now: datetime, *, user_id: int | None = None
    ) -> int:
        """Re-plan every upcoming session of these cohorts (lead times or DM choices
        changed)."""
        upcoming = await self.store.future_scheduled(now, cohort_ids)
        return await self.plan([s.id for s in upcoming], now, user_id=user_id)
