"""Lists at realistic sizes, end to end: every command that shows a list answers within
Discord's limits (the emulator refuses more than 6,000 embed characters, 25 fields, 4,096 of
description, 25 select options) and shows every item across pages.

Rows are seeded through each feature's store (as its commands would write them), which is
much faster than driving a hundred commands; the lists themselves are driven as people use
them: the command, then Previous / Next.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine

from bot.client import LanternBot
from cogs.cohorts import spaces
from cogs.cohorts.store import CohortStore
from cogs.crisis.cog import Crisis
from cogs.moderation import store as moderation_store
from cogs.moderation.cog import Moderation
from cogs.support import conversation_store as support_store
from cogs.support.talk import TalkCog
from emulator import Emulator
from emulator.model import Member
from emulator.results import InteractionResult
from tests.e2e.harness import Clinic, Harness
from tests.e2e.steps.cohorts import create
from tests.e2e.steps.common import button_ids, field, text
from tests.e2e.steps.sessions import add, cohort_of, occurrence, utc
from tests.e2e.steps.support import notices, staff_click
from tests.e2e.steps.support import talk as talk_to_facilitators

EMBED_LIMIT = 6000


def embed_size(embed: dict[str, Any]) -> int:
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    size += len((embed.get("footer") or {}).get("text") or "")
    size += len((embed.get("author") or {}).get("name") or "")
    return size + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields") or [])


def component(res: InteractionResult, prefix: str) -> dict[str, Any]:
    for row in res.components:
        for item in row.get("components", [row]):
            if str(item.get("custom_id", "")).startswith(prefix):
                return item
    raise AssertionError(f"no component {prefix!r} in {button_ids(res)}")


async def every_page(emu: Emulator, who: Member, res: InteractionResult) -> list[str]:
    """The text of each page, turning with Next until it is disabled (at most 20 pages)."""
    assert res.ephemeral, text(res)
    pages = [text(res)]
    if not any(c.startswith("lantern:pages:") for c in button_ids(res)):
        return pages
    assert component(res, "lantern:pages:previous:").get("disabled")
    for _ in range(20):
        assert all(embed_size(e) <= EMBED_LIMIT for e in res.embeds)
        nxt = component(res, "lantern:pages:next:")
        if nxt.get("disabled"):
            return pages
        turned = await emu.click(who, res.message, nxt["custom_id"])  # type: ignore[arg-type]
        assert turned.kind == "update"
        pages.append(text(res))
    raise AssertionError("more than 20 pages")


# --- /cohort list and /cohort info ----------------------------------------------------------


async def test_cohort_list_shows_all_30_cohorts_across_pages(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    store = CohortStore(configured.db)
    now = configured.clock.now()
    async with configured.db.transaction() as tx:
        for i in range(30):
            await store.create(
                tx,
                guild_id=clinic.guild.id,
                name=f"Cohort {i:02d} · Tuesday and Thursday evenings",
                starts_on=date(2026, 3, 2) + timedelta(weeks=i),
                ends_on=date(2026, 5, 22) + timedelta(weeks=i),
                capacity=15,
                created_by=clinic.alice.user.id,
                now=now,
                channels={},
            )
    res = await emu.invoke(clinic.alice, clinic.general, "cohort list")
    pages = await every_page(emu, clinic.alice, res)
    assert len(pages) == 2
    assert "Page 1 of 2" in pages[0] and "Page 2 of 2" in pages[1]
    shown = "\n".join(pages)
    for i in range(30):
        assert shown.count(f"Cohort {i:02d} ·") == 1, i
    # Back to the first page.
    back = component(res, "lantern:pages:previous:")
    await emu.click(clinic.alice, res.message, back["custom_id"])  # type: ignore[arg-type]
    assert text(res) == pages[0]


# --- attendance -----------------------------------------------------------------------------


async def test_attendance_of_a_50_person_cohort_can_mark_person_50(
    travel: time_machine.Traveller, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic, "Big Group", capacity=50)
    cohort = await cohort_of(configured, clinic, "Big Group")
    store = CohortStore(configured.db)
    people = [emu.create_member(clinic.guild, f"person{i:02d}") for i in range(1, 51)]
    now = configured.clock.now()
    for person in people:
        async with configured.db.transaction() as tx:
            enrollment = await store.enroll(
                tx, cohort=cohort, user_id=person.user.id, by=clinic.alice.user.id, now=now
            )
        assert await store.consent(enrollment, 0, now)
    await add(emu, clinic, "Big Group")
    sid = await occurrence(configured, "2026-03-02T18:00:00")
    travel.move_to(utc(2026, 3, 3, 4))  # after Monday's session

    res = await emu.invoke(clinic.alice, clinic.general, "attendance", cohort="Big Group")
    assert res.ephemeral
    present = component(res, f"lantern:attend:present:{sid}")
    assert len(present["options"]) == 25
    assert present["options"][0]["value"] == str(people[0].user.id)
    assert "1–25 of 50" in present["placeholder"]
    # Every person is listed in the message, marked or not.
    assert all(f"<@{p.user.id}>: **not marked**" in text(res) for p in people)
    # Mark #1 on the first page, then turn to the second and mark #50.
    done = await emu.select(
        clinic.alice, res.message, f"lantern:attend:present:{sid}", [str(people[0].user.id)]
    )
    if done.kind == "deferred_update":
        await done.wait_for_edit()
    nxt = component(res, f"lantern:attend:page:{sid}:1")
    assert not nxt.get("disabled")
    turned = await emu.click(clinic.alice, res.message, nxt["custom_id"])
    assert turned.kind == "update"
    second = component(res, f"lantern:attend:present:{sid}:1")
    assert [o["value"] for o in second["options"]] == [str(p.user.id) for p in people[25:]]
    assert component(res, f"lantern:attend:page:{sid}:1").get("disabled")  # Next, at the end
    done = await emu.select(
        clinic.alice, res.message, f"lantern:attend:present:{sid}:1", [str(people[49].user.id)]
    )
    if done.kind == "deferred_update":
        await done.wait_for_edit()
    marks = await configured.get_cog("Sessions").ctx.attendance.marks(sid)  # type: ignore[union-attr]
    assert marks == {people[0].user.id: "present", people[49].user.id: "present"}
    # Still on the second page, and the first page's mark is kept (and shown).
    assert component(res, f"lantern:attend:present:{sid}:1")
    assert f"<@{people[0].user.id}>: **present**" in text(res)
    assert f"<@{people[49].user.id}>: **present**" in text(res)


# --- /crisis log ----------------------------------------------------------------------------


async def test_crisis_log_with_15_repeated_alerts_answers_and_pages(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    crisis = configured.get_cog("Crisis")
    assert isinstance(crisis, Crisis)
    store = crisis.store
    start = configured.clock.now()
    for i in range(15):
        at = start + timedelta(hours=i)
        alert_id = await store.create(
            guild_id=clinic.guild.id,
            user_id=clinic.bob.user.id,
            level="crisis",
            score=0.9,
            source="message",
            channel_id=clinic.general.id,
            message_id=None,
            jump_url=None,
            excerpt="I can't keep going like this",
            reasons=[{"label": "hopelessness"}],
            now=at,
        )
        # Unacknowledged: repeats every few minutes, with more messages grouped in between.
        for n in range(1, 13):
            await store.note(alert_id, "realerted", None, at + timedelta(minutes=5 * n))
            if n % 2:
                await store.grouped(alert_id, "crisis", 0.9, at + timedelta(minutes=5 * n + 1))
    res = await emu.invoke(clinic.alice, clinic.general, "crisis log")
    pages = await every_page(emu, clinic.alice, res)
    assert len(pages) >= 2
    shown = "\n".join(pages)
    alerts = await store.log(clinic.guild.id, None, 50)
    assert len(alerts) == 15
    for alert in alerts:
        assert shown.count(f"#{alert.id} · crisis · Waiting for a facilitator") == 1
    # Every step is there; back-to-back repeats read as one line ("realerted ×2").
    repeats = re.findall(r"realerted(?: ×(\d+))?", shown)
    assert sum(int(n or 1) for n in repeats) == 15 * 12
    assert shown.count("grouped") == 15 * 6


# --- /conversation log ----------------------------------------------------------------------


async def test_conversation_log_with_8_noted_conversations_pages(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    talk = configured.get_cog("Talk")
    assert isinstance(talk, TalkCog)
    store = talk.store
    now = configured.clock.now()
    opened = []
    for i in range(8):
        at = now + timedelta(days=i)
        cid = await store.create(
            guild_id=clinic.guild.id,
            user_id=clinic.bob.user.id,
            topic="hard",
            origin="talk",
            alert_id=None,
            out_of_hours=False,
            now=at,
        )
        assert cid is not None
        await store.claim(cid, clinic.alice.user.id, at)
        for n in range(4):  # notes as long as the note modal allows (500)
            note = f"note {i}.{n}: " + "talked about the week, sleep and what helps " * 11
            await store.add_note(cid, clinic.alice.user.id, note[:500], at)
        await store.close(cid, clinic.alice.user.id, "Talked it through", at)
        opened.append(cid)
    res = await emu.invoke(clinic.alice, clinic.general, "conversation log", member=clinic.bob)
    pages = await every_page(emu, clinic.alice, res)
    assert len(pages) >= 2
    shown = "\n".join(pages)
    for i, cid in enumerate(opened):
        assert f"#{cid} · closed" in shown
        for n in range(4):
            assert f"note {i}.{n}:" in shown


async def test_conversation_log_past_its_bound_says_how_many_older_it_leaves_out(
    emu: Emulator, clinic: Clinic, configured: LanternBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(support_store, "HISTORY_LIMIT", 3)  # stands in for 500
    talk = configured.get_cog("Talk")
    assert isinstance(talk, TalkCog)
    now = configured.clock.now()
    opened = []
    for i in range(5):
        cid = await talk.store.create(
            guild_id=clinic.guild.id,
            user_id=clinic.bob.user.id,
            topic="hard",
            origin="talk",
            alert_id=None,
            out_of_hours=False,
            now=now + timedelta(days=i),
        )
        assert cid is not None
        await talk.store.close(cid, clinic.alice.user.id, "Talked it through", now)
        opened.append(cid)
    res = await emu.invoke(clinic.alice, clinic.general, "conversation log", member=clinic.bob)
    shown = "\n".join(await every_page(emu, clinic.alice, res))
    assert [c for c in opened if f"#{c} ·" in shown] == opened[2:]  # the newest three
    assert "Newest 3 of 5: 2 older not shown (their /mydata export holds every one)." in shown


async def test_the_notice_shows_the_newest_notes_that_fit_whole(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await talk_to_facilitators(emu, clinic, clinic.bob)
    (notice,) = notices(emu, clinic)
    for n in range(3):  # three long notes (the modal allows 500) overflow one 1,024 field
        note = (f"note {n}: " + "slept badly, called her sponsor, coming Friday " * 11)[:459]
        form = await staff_click(emu, clinic.alice, notice, "note")
        noted = await emu.submit_modal(clinic.alice, form, {"note": note + "!"})
        await noted.wait_for_edit()
    name = "Notes: newest 2 of 3 (all in /conversation log)"
    value = field(notice, name)
    assert "note 0:" not in value and "note 1:" in value and "note 2:" in value
    assert value.count("!") == 2  # neither note cut in the middle
    log = await emu.invoke(clinic.alice, clinic.general, "conversation log", member=clinic.bob)
    shown = "\n".join(await every_page(emu, clinic.alice, log))
    assert all(f"note {n}:" in shown for n in range(3))


# --- /mod history -----------------------------------------------------------------------------


async def test_mod_history_past_its_bound_says_how_many_older_it_leaves_out(
    emu: Emulator, clinic: Clinic, configured: LanternBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(moderation_store, "HISTORY_LIMIT", 30)  # stands in for 500
    moderation = configured.get_cog("Moderation")
    assert isinstance(moderation, Moderation)
    now = configured.clock.now()
    for i in range(40):
        await moderation.store.record(
            guild_id=clinic.guild.id,
            actor_id=clinic.alice.user.id,
            action="timeout",
            now=now + timedelta(minutes=i),
            target_id=clinic.bob.user.id,
            reason=f"action {i:02d}: " + "kept posting after being asked to stop " * 4,
        )
    res = await emu.invoke(clinic.alice, clinic.general, "mod history", member=clinic.bob)
    pages = await every_page(emu, clinic.alice, res)
    shown = "\n".join(pages)
    assert [i for i in range(40) if f"action {i:02d}:" in shown] == list(range(10, 40))
    assert all("Newest 30 of 40: 10 older not shown" in page for page in pages)


# --- /cohort create at Discord's caps ---------------------------------------------------------


async def test_cohort_create_at_the_channel_cap_says_what_is_full(
    emu: Emulator, clinic: Clinic, harness: Harness
) -> None:
    existing = sum(1 for c in emu.world.channels.values() if c.guild_id == clinic.guild.id)
    for i in range(498 - existing):
        emu.create_channel(clinic.guild, f"old-{i}")
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    res = await emu.invoke(
        clinic.alice,
        clinic.general,
        "cohort create",
        name="Spring Evening",
        start="2026-03-02",
        end="2026-05-22",
    )
    assert res.ephemeral
    assert "This server has 498 of Discord's 500 channels; a cohort needs 5" in text(res)
    assert "permission" not in text(res)
    assert await CohortStore(bot.db).by_name(clinic.guild.id, "Spring Evening") is None


async def test_cohort_create_refused_by_discord_names_the_cap(
    emu: Emulator, clinic: Clinic, harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the server fills up between the check and the creation (or the check misses it),
    Discord's own refusal (30013) is explained as the channel cap, and nothing is kept."""
    existing = sum(1 for c in emu.world.channels.values() if c.guild_id == clinic.guild.id)
    for i in range(497 - existing):
        emu.create_channel(clinic.guild, f"old-{i}")
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    monkeypatch.setattr(spaces, "room_problem", lambda guild: None)
    roles_before = len(clinic.guild.roles)
    res = await emu.invoke(
        clinic.alice,
        clinic.general,
        "cohort create",
        name="Spring Evening",
        start="2026-03-02",
        end="2026-05-22",
    )
    assert "reached its 500-channel limit" in text(res), text(res)
    assert "Nothing of the cohort was kept" in text(res)
    assert "permission" not in text(res)
    left = sum(
        1
        for c in emu.world.channels.values()
        if c.guild_id == clinic.guild.id and not getattr(c, "deleted", False)
    )
    assert left == 497 and len(clinic.guild.roles) == roles_before


async def test_cohort_create_at_the_role_cap_says_what_is_full(
    emu: Emulator, clinic: Clinic, harness: Harness
) -> None:
    existing = sum(1 for r in clinic.guild.roles.values() if not r.is_everyone)
    for i in range(250 - existing):
        emu.create_role(clinic.guild, f"role-{i}")
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    res = await emu.invoke(
        clinic.alice,
        clinic.general,
        "cohort create",
        name="Spring Evening",
        start="2026-03-02",
        end="2026-05-22",
    )
    assert "This server has 250 of Discord's 250 roles; a cohort needs 1" in text(res)
