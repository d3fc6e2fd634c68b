import json
from datetime import UTC, datetime, timedelta

from bot.crypto import PLAINTEXT
from bot.personal_data import delete_person, export_person
from bot.storage import Database
from cogs.support.conversation_store import ConversationStore
from cogs.support.hours import parse
from cogs.support.plan_parts import Person
from cogs.support.plan_store import PlanStore
from cogs.support.settings_store import SettingsStore

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
G, U = 10, 20


async def test_saving_a_part_never_loses_the_others(db: Database) -> None:
    store = PlanStore(db)
    await store.save_part(G, U, "warning_signs", "No sleep", NOW)
    await store.save_part(G, U, "people", [Person("Mom", "555 0101")], NOW)
    plan = await store.save_part(G, U, "reasons", "My kids", NOW)
    assert plan.parts == {"warning_signs": "No sleep", "reasons": "My kids"}
    assert plan.people == (Person("Mom", "555 0101"),)
    cleared = await store.save_part(G, U, "warning_signs", "  ", NOW)
    assert not cleared.has("warning_signs") and cleared.has("reasons") and cleared.has("people")
    assert await store.plan(G + 1, U) is None  # plans are per server


async def test_sharing_needs_a_plan(db: Database) -> None:
    store = PlanStore(db)
    assert not await store.set_shared(G, U, True, NOW)
    await store.save_part(G, U, "reasons", "My dog", NOW)
    assert await store.set_shared(G, U, True, NOW)
    assert (await store.plan(G, U)).shared  # type: ignore[union-attr]


async def test_one_open_conversation_and_reannouncement_taken_once(db: Database) -> None:
    store = ConversationStore(db)
    kwargs = {"guild_id": G, "user_id": U, "topic": "hard", "origin": "command"}
    first = await store.create(**kwargs, alert_id=None, out_of_hours=False, now=NOW)  # type: ignore[arg-type]
    assert first is not None
    assert await store.create(**kwargs, alert_id=None, out_of_hours=False, now=NOW) is None  # type: ignore[arg-type]
    due = NOW + timedelta(minutes=15)
    await store.schedule_reannounce(first, due)
    assert await store.due_reannouncements() == [(first, due)]  # what start-up re-arms
    later = due + timedelta(minutes=15)
    assert await store.claim_reannounce(first, due, later, due)
    assert not await store.claim_reannounce(first, due, later, due)  # a racing wake-up
    assert await store.staff_replied(first, 99, due)
    assert not await store.staff_replied(first, 99, due)
    assert (await store.conversation(first)).next_reannounce_at is None  # type: ignore[union-attr]
    closed = await store.close(first, 99, "done", later)
    assert closed is not None and not closed.open
    assert await store.close(first, 99, "again", later) is None


async def test_export_and_delete_cover_plan_conversations_and_notes(db: Database) -> None:
    store = ConversationStore(db)
    await PlanStore(db).save_part(G, U, "people", [Person("Sam", "555")], NOW)
    conversation = await store.create(
        guild_id=G,
        user_id=U,
        topic="other",
        origin="command",
        alert_id=None,
        out_of_hours=True,
        now=NOW,
    )
    assert conversation is not None
    await store.add_note(conversation, 99, "calls on Fridays", NOW)
    other = await store.create(
        guild_id=G,
        user_id=U + 1,
        topic="other",
        origin="command",
        alert_id=None,
        out_of_hours=False,
        now=NOW,
    )
    # The privacy catalogue (bot/data_catalogue.py) covers this feature's tables.
    exported = await export_person(db, PLAINTEXT, G, U)
    (plan,) = exported["safety_plans.user_id"]
    assert json.loads(plan["people"]) == [{"name": "Sam", "reach": "555"}]
    assert exported["conversation_events.conversation_id"][-1]["detail"] == "calls on Fridays"
    async with db.transaction() as tx:
        counts = await delete_person(tx, G, U)
    assert sum(counts.values()) == 1 + 1 + 2  # plan, conversation, opened + note
    assert await export_person(db, PLAINTEXT, G, U) == {}
    assert await store.conversation(other or 0) is not None  # someone else's is untouched


async def test_hours_are_replaced_whole(db: Database) -> None:
    store = SettingsStore(db)
    await store.set_hours(G, parse("Mon-Fri 09:00-17:00"), "America/Chicago")
    await store.set_hours(G, parse("Sat 10:00-14:00"), "America/Chicago")
    windows, zone = await store.hours(G)
    assert len(windows) == 1 and zone == "America/Chicago"
    assert await store.reannounce_minutes(G) == 15
    await store.set_reannounce_minutes(G, 5, NOW)
    assert await store.reannounce_minutes(G) == 5


async def _opened(store: ConversationStore, user_id: int) -> int:
    conversation = await store.create(
        guild_id=G,
        user_id=user_id,
        topic="hard",
        origin="command",
        alert_id=None,
        out_of_hours=False,
        now=NOW,
    )
    assert conversation is not None
    return conversation


async def test_open_spaces_are_the_open_conversations_that_have_one(db: Database) -> None:
    store = ConversationStore(db)
    placed, _no_space_yet, closed = [await _opened(store, U + n) for n in range(3)]
    await store.placed(placed, "thread", 501, None)
    await store.placed(closed, "thread", 502, None)
    await store.close(closed, 99, "done", NOW)
    assert await store.open_space_ids() == {501}  # what the cog watches at start-up
    found = await store.by_space(501)
    assert found is not None and found.id == placed
