"""Every command that shows something, on a large, untidy server (`large_world.py`).

30 cohorts, one of 50 people, 12 local resources, 120 alerts, 70 days of check-ins, names at
Discord's maximum lengths with emoji, Arabic and Hebrew, `@everyone` in what people wrote. A
command passes when it answers (no "did not respond", no "Something went wrong", no ERROR
log), everything it lists can be reached (across pages, through a "Next" button if there is
one) and nothing people wrote pings anyone.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio

from bot.client import LanternBot
from cogs.crisis.store import CrisisStore
from cogs.sessions.attendance_store import AttendanceStore
from cogs.sessions.store import SessionStore
from emulator import Emulator
from emulator.model import Member, Message, walk_components
from emulator.results import InteractionResult
from tests.e2e.harness import Harness
from tests.e2e.large_world import (
    ALERTS,
    ARCHIVED,
    BIG_COHORT,
    COHORTS,
    CONVERSATIONS,
    HEAVY_ALERTS,
    MOD_ACTIONS,
    RESOURCES,
    SERIES,
    LargeWorld,
    build_server,
    cohort_name,
    resource_name,
    seed,
)
from tests.e2e.steps.common import text

FAILED = "Something went wrong"
MAX_PAGES = 60  # a list needing more pages than this is unusable anyway


# One server for the whole module (building and seeding it takes ~1.5 s; per test that would
# be a minute): tests that change something leave what the others read as it was.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@dataclass
class Large:
    world: LargeWorld
    bot: LanternBot
    emu: Emulator
    first_message: int = 0
    """Messages with larger ids were sent while the current test ran (checked for pings)."""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def running(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Large]:
    async with Emulator() as emu:
        world = build_server(emu)
        harness = Harness(emu, tmp_path_factory.mktemp("large") / "lantern.db")
        try:
            bot = await harness.start()
            await seed(bot, world, emu)
            yield Large(world, bot, emu)
        finally:
            await harness.stop()


@pytest.fixture
def large(running: Large) -> Large:
    running.first_message = max(running.emu.world.messages, default=0)
    return running


# --- reading what people see ----------------------------------------------------------------


def buttons(message: Message | None) -> list[dict[str, Any]]:
    if message is None:
        return []
    return [c for c in walk_components(message.components) if c.get("type") == 2]


async def next_page(emu: Emulator, who: Member, result: InteractionResult) -> str | None:
    """Click the enabled button labelled "Next" on the result's message; the new page's text,
    or None when there is no next page."""
    found = [
        b
        for b in buttons(result.message)
        if "next" in str(b.get("label", "")).lower() and not b.get("disabled")
    ]
    if not found or result.message is None:
        return None
    turned = await emu.click(who, result.message, found[0]["custom_id"])
    answered(turned)
    return text(turned)


async def every_page(emu: Emulator, who: Member, result: InteractionResult) -> list[str]:
    """The text of the first page and of every page after it."""
    answered(result)
    pages = [text(result)]
    for _ in range(MAX_PAGES):
        page = await next_page(emu, who, result)
        if page is None:
            return pages
        pages.append(page)
    raise AssertionError(f"more than {MAX_PAGES} pages, or a Next button that never disables")


def answered(result: InteractionResult) -> None:
    assert result.kind != "none", "the bot did not answer"
    assert not result.loading, "the bot deferred and never finished"
    assert FAILED not in text(result), text(result)[:300]


def no_pings(large: Large) -> None:
    """Nothing Lantern sent while the test ran pings @everyone/@here or a role it shouldn't;
    and no person is pinged by text someone else wrote (names, notes, excerpts)."""
    staff = {large.world.facilitator_role.id}
    for message in large.emu.world.messages.values():
        if message.id <= large.first_message or message.author.id != large.emu.bot_user_id:
            continue
        assert not message.mention_everyone, f"pinged everyone: {message.content[:200]!r}"
        assert set(message.mention_roles) <= staff, f"pinged roles: {message.content[:200]!r}"
        if message.ephemeral:
            assert not message.mentions, f"a private answer pinged: {message.content[:200]!r}"


def choices_ok(choices: list[Any]) -> None:
    assert len(choices) <= 25, f"{len(choices)} choices (Discord allows 25)"
    for choice in choices:
        assert 1 <= len(choice.name) <= 100, choice.name
        if isinstance(choice.value, str):
            assert len(choice.value) <= 100, choice.value


# --- cohorts ---------------------------------------------------------------------------------


async def test_cohort_list_reaches_all_30_cohorts(large: Large) -> None:
    w, emu = large.world, large.emu
    result = await emu.invoke(w.facilitator, w.general, "cohort list")
    shown = "\n".join(await every_page(emu, w.facilitator, result))
    missing = [i for i in range(COHORTS) if cohort_name(i) not in shown]
    assert not missing, f"cohorts not reachable: {missing}"
    no_pings(large)


async def test_cohort_info_reaches_all_50_members(large: Large) -> None:
    w, emu = large.world, large.emu
    result = await emu.invoke(w.facilitator, w.general, "cohort info", cohort=w.big.name)
    shown = "\n".join(await every_page(emu, w.facilitator, result))
    missing = [n + 1 for n, p in enumerate(w.people) if f"<@{p.id}>" not in shown]
    assert not missing, f"members not reachable: {missing}"
    no_pings(large)


async def test_cohort_info_of_an_archived_cohort(large: Large) -> None:
    w, emu = large.world, large.emu
    archived = w.cohorts[-1]
    result = await emu.invoke(w.facilitator, w.general, "cohort info", cohort=archived.name)
    shown = "\n".join(await every_page(emu, w.facilitator, result))
    assert "graduated" in shown and "archived" in shown
    no_pings(large)


async def test_cohort_report_is_a_file_for_the_big_cohort(large: Large) -> None:
    w, emu = large.world, large.emu
    result = await emu.invoke(w.facilitator, w.general, "cohort report", cohort=w.big.name)
    answered(result)
    files = [a for m in [result.message, *result.followups] if m for a in m.attachments]
    assert files, text(result)
    no_pings(large)


COHORT_OPTIONS = [
    ("cohort info", True),
    ("cohort enroll", True),
    ("cohort remove", True),
    ("cohort archive", True),
    ("cohort report", True),
    ("session add", False),
    ("session list", False),
    ("session reminders", False),
    ("attendance", False),
    ("checkin assessments", False),
]


@pytest.mark.parametrize(("command", "archived_too"), COHORT_OPTIONS)
async def test_every_cohort_can_be_picked_from_the_cohort_autocomplete(
    large: Large, command: str, archived_too: bool
) -> None:
    w, emu = large.world, large.emu
    reachable = range(COHORTS) if archived_too else range(COHORTS - ARCHIVED)
    first = await emu.autocomplete(w.facilitator, w.general, command, "cohort", "")
    choices_ok(first)
    for index in reachable:
        name = cohort_name(index)
        # Typing the start of the name is what a facilitator does (the number comes first).
        found = await emu.autocomplete(w.facilitator, w.general, command, "cohort", name[:4])
        choices_ok(found)
        assert name in [c.value for c in found], f"{name!r} can't be picked in /{command}"


# --- crisis ------------------------------------------------------------------------------------


def alert_numbers(shown: str) -> set[int]:
    return {int(n) for n in re.findall(r"#(\d+) ·", shown)}


async def test_crisis_log_reaches_the_newest_alerts_and_each_once(large: Large) -> None:
    w, emu = large.world, large.emu
    result = await emu.invoke(w.facilitator, w.general, "crisis log")
    pages = await every_page(emu, w.facilitator, result)
    numbers = [int(n) for page in pages for n in re.findall(r"#(\d+) ·", page)]
    assert len(numbers) == len(set(numbers)), "an alert is listed twice"
    newest = set(w.alert_ids[-50:])
    assert newest <= set(numbers), f"not reachable: {sorted(newest - set(numbers))}"
    # The older ones are not hidden silently: every page says how many and where to look.
    assert all(f"Newest 50 of {ALERTS}: {ALERTS - 50} older not shown" in p for p in pages)
    no_pings(large)


async def test_crisis_log_of_one_person_reaches_all_their_alerts(large: Large) -> None:
    w, emu = large.world, large.emu
    result = await emu.invoke(w.facilitator, w.general, "crisis log", member=w.heavy)
    shown = "\n".join(await every_page(emu, w.facilitator, result))
    theirs = set(w.alert_ids[:HEAVY_ALERTS]) | {
        a for i, a in enumerate(w.alert_ids) if i >= HEAVY_ALERTS and i % BIG_COHORT == 0
    }
    assert theirs <= alert_numbers(shown), sorted(theirs - alert_numbers(shown))
    no_pings(large)


async def test_crisis_export_holds_every_labelled_example(large: Large) -> None:
    w, emu = large.world, large.emu
    result = await emu.invoke(w.facilitator, w.general, "crisis export")
    answered(result)
    assert result.message is not None and result.message.attachments, text(result)
    lines = result.message.attachments[0].data.decode().splitlines()
    labelled = sum(1 for i in range(ALERTS) if i % 5 in (2, 3))  # reached out, false alarm
    assert len(lines) == labelled
    assert all(json.loads(line)["text"] for line in lines)
    no_pings(large)


async def test_crisis_ack_autocomplete_stays_within_limits(large: Large) -> None:
    w, emu = large.world, large.emu
    found = await emu.autocomplete(w.facilitator, w.general, "crisis ack", "alert", "")
    choices_ok(found)
    assert found, "open alerts exist but none is offered"


async def test_help_now_shows_all_12_local_resources(large: Large) -> None:
    w, emu = large.world, large.emu
    result = await emu.invoke(w.last, w.general, "help-now")
    shown = "\n".join(await every_page(emu, w.last, result))
    missing = [i for i in range(RESOURCES) if resource_name(i) not in shown]
    assert not missing, f"resources not shown: {missing}"
    no_pings(large)


async def test_resources_list_shows_all_12_local_resources(large: Large) -> None:
    w, emu = large.world, large.emu
    result = await emu.invoke(w.facilitator, w.general, "resources list")
    shown = "\n".join(await every_page(emu, w.facilitator, result))
    missing = [i for i in range(RESOURCES) if resource_name(i) not in shown]
    assert not missing, f"resources not shown: {missing}"
    no_pings(large)


async def test_twelve_resources_at_their_maximum_sizes_can_be_added(large: Large) -> None:
    w, emu = large.world, large.emu
    store = CrisisStore(large.bot.db, large.bot.cipher)
    saved = await store.resources(w.guild.id)
    for item in saved:
        await store.remove_resource(w.guild.id, item.name)
    try:
        for index in range(RESOURCES):
            result = await emu.invoke(
                w.facilitator,
                w.general,
                "resources add",
                name=resource_name(index),
                contact="+1 555 0100 " + "x" * 108,
                hours="24/7 " + "ש" * 55,
                note="@everyone **call** " + "ع" * 181,
            )
            answered(result)
            assert "Added" in text(result), f"resource {index + 1}: {text(result)[:200]}"
        choices = await emu.autocomplete(w.facilitator, w.general, "resources remove", "name", "R1")
        choices_ok(choices)
        no_pings(large)
    finally:  # the other tests read the seeded resources
        for item in await store.resources(w.guild.id):
            await store.remove_resource(w.guild.id, item.name)
        for item in saved:
            await store.add_resource(
                w.guild.id, item.name, item.contact, item.hours, item.note, w.facilitator.id,
                large.bot.clock.now(),
            )  # fmt: skip


async def test_resources_remove_autocomplete_reaches_every_resource(large: Large) -> None:
    w, emu = large.world, large.emu
    for index in range(RESOURCES):
        name = resource_name(index)
        found = await emu.autocomplete(
            w.facilitator, w.general, "resources remove", "name", name[:3]
        )
        choices_ok(found)
        assert name in [c.value for c in found]


# --- support -----------------------------------------------------------------------------------


async def test_conversation_log_reaches_all_15_conversations_and_their_notes(
    large: Large,
) -> None:
    w, emu = large.world, large.emu
    result = await emu.invoke(w.facilitator, w.general, "conversation log", member=w.heavy)
    shown = "\n".join(await every_page(emu, w.facilitator, result))
    missing = [c for c in w.conversation_ids if f"#{c} ·" not in shown]
    assert not missing, f"conversations not reachable: {missing}"
    notes = [f"Note {i}.{n}" for i in range(CONVERSATIONS) for n in range(3)]
    assert not [n for n in notes if n not in shown], "notes not reachable"
    no_pings(large)


async def test_safetyplan_show_at_every_maximum(large: Large) -> None:
    w, emu = large.world, large.emu
    result = await emu.invoke(w.last, w.general, "safetyplan show")
    answered(result)
    assert "Sam 4" in text(result) and "reasons" in text(result)
    no_pings(large)


async def test_safetyplan_edit_opens_every_part_of_a_full_plan(large: Large) -> None:
    w, emu = large.world, large.emu
    result = await emu.invoke(w.last, w.general, "safetyplan edit")
    answered(result)
    assert result.message is not None
    for custom_id in [b["custom_id"] for b in buttons(result.message)]:
        opened = await emu.click(w.last, result.message, custom_id)
        assert opened.modal is not None, f"{custom_id}: {text(opened)[:200]}"
        values = {k: f.get("value") or "" for k, f in opened.modal.fields.items()}
        saved = await emu.submit_modal(w.last, opened, values)
        answered(saved)
    no_pings(large)


# --- check-ins ---------------------------------------------------------------------------------


async def test_checkin_history_of_70_days(large: Large) -> None:
    w, emu = large.world, large.emu
    for days in (30, 365):
        result = await emu.invoke(
            w.facilitator, w.general, "checkin history", member=w.last, days=days
        )
        shown = "\n".join(await every_page(emu, w.facilitator, result))
        assert [f"Day {n}" for n in range(7) if f"Day {n}" not in shown] == []
    # Person #50 shares a full safety plan: it follows the history.
    await emu.wait_for(
        lambda: [m for m in emu.ephemerals(w.facilitator) if "Safety plan shared by" in text(m)],
        what="the shared safety plan after the history",
    )
    no_pings(large)


async def test_progress_own_with_70_days(large: Large) -> None:
    w, emu = large.world, large.emu
    result = await emu.invoke(w.last, w.general, "progress", days=365)
    answered(result)
    assert "check-ins in the last 365 days" in text(result)
    no_pings(large)


async def test_progress_of_another_person_is_checkin_history(large: Large) -> None:
    w, emu = large.world, large.emu
    result = await emu.invoke(w.facilitator, w.general, "checkin history", member=w.heavy)
    shown = "\n".join(await every_page(emu, w.facilitator, result))
    assert "Check-ins" in shown and "Day 0 " in shown
    no_pings(large)


async def test_daily_digest_posts_for_every_active_cohort(large: Large) -> None:
    w, emu, bot = large.world, large.emu, large.bot
    cog: Any = bot.get_cog("Checkins")
    await cog.digests.run(w.guild.id, bot.clock.now())
    active = COHORTS - ARCHIVED
    await emu.wait_for(
        lambda: len([m for m in emu.messages_in(w.mod_log) if m.embeds]) >= active,
        timeout=20,
        what=f"{active} digests in the moderation log",
    )
    no_pings(large)


async def test_checkin_settings_timezone_autocomplete(large: Large) -> None:
    w, emu = large.world, large.emu
    for typed in ("", "a", "america/"):
        choices_ok(await emu.autocomplete(w.last, w.general, "checkin settings", "timezone", typed))


# --- sessions ----------------------------------------------------------------------------------


async def test_session_list_reaches_every_upcoming_session(large: Large) -> None:
    w, emu, bot = large.world, large.emu, large.bot
    result = await emu.invoke(w.facilitator, w.general, "session list", cohort=w.big.name, weeks=4)
    shown = "\n".join(await every_page(emu, w.facilitator, result))
    now = bot.clock.now()
    sessions = await SessionStore(bot.db).sessions_of_cohort(
        w.big.id, now, now + timedelta(weeks=4)
    )
    listed = len(re.findall(r"S\d C00", shown)) - SERIES  # each series is listed once too
    assert listed >= len(sessions), f"{listed} of {len(sessions)} sessions shown"
    no_pings(large)


async def test_schedule_shows_every_session_of_four_weeks(large: Large) -> None:
    w, emu, bot = large.world, large.emu, large.bot
    result = await emu.invoke(w.last, w.general, "schedule", weeks=4)
    pages = await every_page(emu, w.last, result)
    now = bot.clock.now()
    sessions = await SessionStore(bot.db).sessions_of_cohort(
        w.big.id, now, now + timedelta(weeks=4)
    )
    shown = sum(len(re.findall(r"S\d C00", page)) for page in pages)
    assert shown >= len(sessions), f"{shown} of {len(sessions)} sessions shown"
    no_pings(large)


async def test_session_rsvps_lists_all_50_people_with_reasons(large: Large) -> None:
    w, emu, bot = large.world, large.emu, large.bot
    now = bot.clock.now()
    upcoming = await SessionStore(bot.db).sessions_of_cohort(
        w.big.id, now, now + timedelta(weeks=1)
    )
    result = await emu.invoke(
        w.facilitator, w.general, "session rsvps", session=str(upcoming[0].id)
    )
    shown = "\n".join(await every_page(emu, w.facilitator, result))
    missing = [n + 1 for n, p in enumerate(w.people) if f"<@{p.id}>" not in shown]
    assert not missing, f"people not reachable: {missing}"
    no_pings(large)


@pytest.mark.parametrize(
    ("command", "option"),
    [
        ("session cancel", "session"),
        ("session move", "session"),
        ("session rsvps", "session"),
        ("session delete", "series"),
        ("attendance", "session"),
    ],
)
async def test_session_autocompletes_stay_within_limits(
    large: Large, command: str, option: str
) -> None:
    w, emu = large.world, large.emu
    for typed in ("", "S", "C00", "S5 C00"):
        choices_ok(await emu.autocomplete(w.facilitator, w.general, command, option, typed))


async def test_attendance_reaches_person_50(large: Large) -> None:
    w, emu, bot = large.world, large.emu, large.bot
    result = await emu.invoke(w.facilitator, w.general, "attendance", cohort=w.big.name)
    answered(result)
    wanted = str(w.last.id)

    def present_select(message: Message | None) -> dict[str, Any] | None:
        for item in walk_components(message.components if message else []):
            if item.get("type") == 3 and "present" in item.get("custom_id", ""):
                return item
        return None

    for _ in range(MAX_PAGES):
        select = present_select(result.message)
        assert select is not None, text(result)[:300]
        assert len(select["options"]) <= 25
        if wanted in [o["value"] for o in select["options"]]:
            break
        assert await next_page(emu, w.facilitator, result) is not None, "person #50 unreachable"
    assert result.message is not None
    marked = await emu.select(w.facilitator, result.message, select["custom_id"], [wanted])
    answered(marked)
    store = SessionStore(bot.db)
    past = await store.sessions_of_cohort(
        w.big.id, bot.clock.now() - timedelta(days=30), bot.clock.now()
    )
    assert (await AttendanceStore(bot.db).marks(past[-1].id)).get(w.last.id) == "present"
    no_pings(large)


# --- alumni, moderation, set-up, privacy -------------------------------------------------------


async def test_milestone_show(large: Large) -> None:
    w, emu = large.world, large.emu
    result = await emu.invoke(w.last, w.general, "milestone show")
    answered(result)
    assert "days" in text(result)
    no_pings(large)


async def test_mod_history_reaches_all_40_actions(large: Large) -> None:
    w, emu = large.world, large.emu
    result = await emu.invoke(w.facilitator, w.general, "mod history", member=w.heavy)
    shown = "\n".join(await every_page(emu, w.facilitator, result))
    missing = [i for i in range(MOD_ACTIONS) if f"Reason {i} " not in shown]
    assert not missing, f"actions not reachable: {missing}"
    no_pings(large)


async def test_setup_show_and_check_with_names_at_their_limits(large: Large) -> None:
    w, emu = large.world, large.emu
    # /setup needs Manage Server unless the owner lets facilitators use it.
    shown = await emu.invoke(w.owner, w.general, "setup show")
    answered(shown)
    assert f"<@&{w.facilitator_role.id}>" in text(shown)
    check = await emu.invoke(w.owner, w.general, "setup check")
    answered(check)
    for option in ("timezone", "region"):
        for typed in ("", "a", "chic"):
            choices_ok(await emu.autocomplete(w.owner, w.general, "setup server", option, typed))
    no_pings(large)


async def test_mydata_export_of_the_person_with_the_most_data(large: Large) -> None:
    w, emu = large.world, large.emu
    result = await emu.invoke(w.heavy, w.general, "mydata export")
    answered(result)
    sent = [m for m in [*emu.dms(w.heavy), *result.followups] if m.attachments]
    assert sent, text(result)
    document = json.loads(sent[-1].attachments[0].data)
    assert document["data"], "the export is empty"
    no_pings(large)
