"""The digest and streaks read a bounded window of history (issue 17): on random histories,
what the rules say from the window is what they say from the whole history."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.crypto import Cipher, generate_key
from bot.storage import Database
from cogs.checkins import logic
from cogs.checkins.logic import DayEntry
from cogs.checkins.models import HANDFUL, Assessment
from cogs.checkins.prompt_store import PromptStore
from cogs.checkins.record_store import RecordStore
from cogs.sessions.api import missed_sessions, missed_sessions_by_person

GUILD = 1
DAY = date(2026, 3, 1)
ZONE = "America/Chicago"
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


async def _history(db: Database, rng: random.Random, people: list[int]) -> None:
    """Up to a year of check-ins (with gaps, some after DAY) and weekly scores."""
    checkins, scores = [], []
    for uid in people:
        regular = rng.random()
        for back in range(rng.choice((0, 3, 40, 365)), -3, -1):
            if rng.random() < 0.3 + 0.7 * regular:
                day = DAY - timedelta(days=back)
                checkins.append(
                    (GUILD, uid, day.isoformat(), rng.randint(1, 5), rng.randint(0, 10))
                )
        for week in range(rng.choice((0, 1, 2, 30))):
            for key in rng.sample(sorted(logic.INSTRUMENTS), rng.randint(1, 2)):
                instrument = logic.INSTRUMENTS[key]
                total = rng.randint(0, instrument.max_score)
                done = datetime.combine(DAY, datetime.min.time(), UTC) + timedelta(
                    days=-7 * week + rng.choice((0, 1)), hours=rng.randint(0, 23)
                )
                band = logic.band(instrument, total)
                scores.append((GUILD, uid, key, total, band, done.isoformat(), done.isoformat()))
    async with db.transaction() as tx:
        await tx.execute_many(
            "INSERT INTO checkins (guild_id, user_id, local_day, mood, cravings, created_at) "
            "VALUES (?, ?, ?, ?, ?, '2026-01-01')",
            checkins,
        )
        await tx.execute_many(
            "INSERT INTO assessments (guild_id, user_id, instrument, score, band, started_at, "
            "completed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            scores,
        )


@pytest.mark.parametrize("seed", range(6))
async def test_the_window_gives_the_digest_the_same_answers_as_the_whole_history(
    db: Database, seed: int
) -> None:
    rng = random.Random(seed)
    people = list(range(100, 100 + 60))  # more than a statement reads at once
    await _history(db, rng, people)
    records = RecordStore(db)
    window = await records.recent_entries(GUILD, people, DAY)
    trends = await records.score_trends(GUILD, people)
    everything = await records.cohort_assessments(GUILD, people)
    for uid in people:
        full = [c.entry for c in await records.checkins(GUILD, uid, date(2000, 1, 1))]
        mine = window.get(uid, [])
        assert len(mine) <= 4
        for asked in (True, False):
            since = DAY - timedelta(days=rng.randint(0, 60))
            expected = logic.digest_person(uid, full, DAY, since=since, asked=asked)
            got = logic.digest_person(uid, mine, DAY, since=since, asked=asked)
            assert got == expected
        scored = [a for a in everything if a.user_id == uid]
        for day in (DAY, DAY + timedelta(days=1)):
            assert logic.band_rises(trends.get(uid, []), day, ZONE) == logic.band_rises(
                scored, day, ZONE
            )
        for today in (DAY, DAY + timedelta(days=2), DAY - timedelta(days=5)):
            days = [e.day for e in full]
            assert await records.streak(GUILD, uid, today) == logic.streak(days, today)


async def test_a_long_streak_is_read_past_the_first_page(db: Database) -> None:
    records = RecordStore(db)
    async with db.transaction() as tx:
        await tx.execute_many(
            "INSERT INTO checkins (guild_id, user_id, local_day, mood, created_at) "
            "VALUES (1, 2, ?, 3, '2026-01-01')",
            [((DAY - timedelta(days=n)).isoformat(),) for n in range(300) if n != 200],
        )
    assert await records.streak(GUILD, 2, DAY) == 200
    assert await records.streak(GUILD, 2, DAY + timedelta(days=1)) == 200  # today not over
    assert await records.streak(GUILD, 2, DAY + timedelta(days=2)) == 0


async def test_band_rises_name_the_instrument_and_the_band_before() -> None:
    def scored(key: str, band: str, day: int) -> Assessment:
        at = datetime(2026, 3, day, 18, tzinfo=UTC)  # noon in Chicago
        return Assessment(0, GUILD, 2, None, key, "", 0, band, at, at)

    done = [scored("gad7", "mild", 1), scored("phq9", "mild", 2), scored("gad7", "severe", 8)]
    done.append(scored("phq9", "moderate", 8))
    assert logic.band_rises(done, date(2026, 3, 8), ZONE) == [
        "GAD-7 up to severe (was mild)",
        "PHQ-9 up to moderate (was mild)",
    ]
    assert logic.band_rises(done, date(2026, 3, 9), ZONE) == []
    assert logic.band_rises(done[:2], date(2026, 3, 2), ZONE) == []  # one score each


async def test_settings_of_some_people_and_missed_sessions_in_one_query(db: Database) -> None:
    prompts = PromptStore(db)
    assert await prompts.people_settings(GUILD, []) == {}
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO cohorts (id, guild_id, name, starts_on, ends_on, capacity, created_by, "
            "created_at) VALUES (7, 1, 'C', '2026-01-01', '2026-12-31', 20, 0, '2026-01-01')"
        )
        await tx.execute(
            "INSERT INTO session_series (id, guild_id, cohort_id, title, kind, weekdays, "
            "start_time, duration_minutes, timezone, starts_on, ends_on, created_by, "
            "created_at) VALUES (1, 1, 7, 'G', 'group', '0', '18:00', 60, 'UTC', "
            "'2026-01-01', '2026-12-31', 0, '2026-01-01')"
        )
        for n in range(6):
            start = NOW - timedelta(days=3 * n)
            await tx.execute(
                "INSERT INTO session_occurrences (id, series_id, guild_id, cohort_id, "
                "original_start, starts_at, ends_at) VALUES (?, 1, 1, 7, ?, ?, ?)",
                (n + 1, start.isoformat(), start.isoformat(), start.isoformat()),
            )
            for uid, status in ((2, "absent"), (3, "absent" if n % 2 else "present")):
                await tx.execute(
                    "INSERT INTO session_attendance (occurrence_id, guild_id, cohort_id, "
                    "user_id, status, marked_by, marked_at) VALUES (?, 1, 7, ?, ?, 0, ?)",
                    (n + 1, uid, status, NOW.isoformat()),
                )
    since = NOW - timedelta(days=7)
    batched = await missed_sessions_by_person(db, GUILD, [2, 3, 4], since)
    for uid in (2, 3, 4):
        assert batched.get(uid, 0) == await missed_sessions(db, GUILD, uid, since)
    assert batched == {2: 3, 3: 1}


async def test_many_notes_are_decrypted_off_the_event_loop_with_the_same_result(
    db: Database,
) -> None:
    cipher = Cipher([generate_key()])
    records = RecordStore(db, cipher)
    notes = [f"note {n}" if n % 3 else None for n in range(HANDFUL * 3)]
    async with db.transaction() as tx:
        await tx.execute_many(
            "INSERT INTO checkins (guild_id, user_id, local_day, mood, note, created_at) "
            "VALUES (1, 2, ?, 3, ?, '2026-01-01')",
            [
                ((DAY - timedelta(days=n)).isoformat(), cipher.encrypt(note))
                for n, note in enumerate(notes)
            ],
        )
    read = await records.checkins(GUILD, 2, date(2000, 1, 1))
    assert [c.note for c in read] == list(reversed(notes))
    few = await records.checkins(GUILD, 2, DAY - timedelta(days=2))
    assert [c.note for c in few] == list(reversed(notes[:3]))
    assert [c.entry for c in read][-1] == DayEntry(DAY, 3)
