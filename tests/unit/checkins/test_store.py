"""Check-in storage on a real migrated SQLite: claims are once-only, one check-in a day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.personal_data import delete_person
from bot.storage import Database
from cogs.checkins import schedule
from cogs.checkins.models import Settings
from cogs.checkins.prompt_store import PromptStore
from cogs.checkins.record_store import RecordStore

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
DUE = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


async def _settings(store: PromptStore) -> Settings:
    return await store.save_settings(
        guild_id=1,
        user_id=2,
        enabled=True,
        cadence="daily",
        local_time=time(9),
        timezone="America/Chicago",
        days=schedule.EVERY_DAY,
        nudge=False,
        last_due_at=NOW,
        now=NOW,
    )


async def test_an_occurrence_is_claimed_once_and_moves_the_schedule(db: Database) -> None:
    store = PromptStore(db)
    settings = await _settings(store)
    first = await store.claim_occurrence(settings, DUE, late=False, now=DUE)
    again = await store.claim_occurrence(settings, DUE, late=False, now=DUE)
    assert first is not None and again is None
    fresh = await store.settings_by_id(settings.id)
    assert fresh is not None and fresh.last_due_at == DUE
    prompt = await store.prompt(first)
    assert prompt is not None and prompt.status == "queued"
    assert prompt.local_day == date(2026, 3, 3)
    late = await store.claim_occurrence(settings, DUE + timedelta(days=1), late=True, now=NOW)
    assert late is None
    assert [p.id for p in await store.queued_prompts()] == [first]


async def test_one_checkin_per_day_and_replacing_needs_asking(db: Database) -> None:
    store, records = PromptStore(db), RecordStore(db)
    a = await store.create_now_prompt(1, 2, date(2026, 3, 2), NOW)
    b = await store.create_now_prompt(1, 2, date(2026, 3, 2), NOW)
    await store.set_draft(a, "mood", 2)
    await store.set_draft(b, "mood", 5)
    pa, pb = await store.prompt(a), await store.prompt(b)
    assert pa is not None and pb is not None
    assert await records.submit(pa, cohort_id=None, replace=False, now=NOW)
    assert not await records.submit(pb, cohort_id=None, replace=False, now=NOW)
    saved = await records.checkin_on(1, 2, date(2026, 3, 2))
    assert saved is not None and saved.mood == 2
    assert await records.submit(pb, cohort_id=None, replace=True, now=NOW)
    saved = await records.checkin_on(1, 2, date(2026, 3, 2))
    assert saved is not None and saved.mood == 5
    # An answered prompt can't be submitted again.
    assert not await records.submit(pa, cohort_id=None, replace=True, now=NOW)


async def test_stopping_closes_open_prompts_and_delete_person_forgets_everything(
    db: Database,
) -> None:
    store = PromptStore(db)
    settings = await _settings(store)
    claimed = await store.claim_occurrence(settings, DUE, late=False, now=DUE)
    assert claimed is not None
    stopped = await store.stop(1, 2, "graduated", NOW)
    assert stopped is not None and not stopped.enabled and stopped.stopped_reason == "graduated"
    prompt = await store.prompt(claimed)
    assert prompt is not None and prompt.status == "expired"
    async with db.transaction() as tx:
        await delete_person(tx, 1, 2)  # the privacy catalogue covers check-in tables
    assert await store.settings(1, 2) is None
    assert await store.prompt(claimed) is None


async def test_assessment_items_are_answered_in_order_once(db: Database) -> None:
    store = RecordStore(db)
    aid = await store.start_assessment(1, 2, None, "gad7", NOW)
    assert await store.answer_item(aid, 0, 2) == "2"
    assert await store.answer_item(aid, 0, 3) is None  # double tap
    assert await store.answer_item(aid, 2, 1) is None  # out of order
    assert await store.answer_item(aid, 1, 1) == "2,1"


async def test_digest_day_is_claimed_once(db: Database) -> None:
    store = PromptStore(db)
    assert await store.claim_digest_day(1, date(2026, 3, 3), time(8), NOW)
    assert not await store.claim_digest_day(1, date(2026, 3, 3), time(8), NOW)
    assert await store.claim_digest_day(1, date(2026, 3, 4), time(8), NOW)
