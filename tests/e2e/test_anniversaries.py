"""Custom anniversaries: `/milestone anniversary add|remove|list`, a private DM on the day
(once a year, also across a restart) and, only with consent, a post in #milestones."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from bot.client import LanternBot
from bot.crypto import generate_key
from emulator import Emulator
from tests.e2e.harness import Clinic, Harness
from tests.e2e.steps.cohorts import channel
from tests.e2e.steps.common import button_ids, text

# The clock starts at 2026-03-02 15:00 UTC: 09:00 in the clinic's Chicago, when Lantern
# starts congratulating people.
TODAY_LAST_YEAR = "2025-03-02"
TOMORROW_LAST_YEAR = "2025-03-03"


async def count(bot: LanternBot) -> int:
    row = await bot.db.fetch_one("SELECT COUNT(*) FROM anniversaries")
    assert row is not None
    return int(row[0])


async def add(
    emu: Emulator, who: object, clinic: Clinic, name: str, day: str, *, share: bool = False
) -> str:
    res = await emu.invoke(
        who,  # type: ignore[arg-type]
        clinic.general,
        "milestone anniversary add",
        options={"name": name, "date": day, "share": share},
    )
    assert res.ephemeral, text(res)
    return text(res)


def congratulations(emu: Emulator, who: object) -> list[str]:
    return [m.content for m in emu.dms(who) if "since **" in m.content]  # type: ignore[arg-type]


async def alumni_space(emu: Emulator, clinic: Clinic) -> None:
    res = await emu.invoke(clinic.alice, clinic.general, "alumni setup")
    assert "Created the alumni space" in text(res), text(res)


async def test_add_list_show_and_remove_are_private_and_only_ones_own(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    saved = await add(emu, clinic.bob, clinic, "Graduated IOP", "2025-06-01")
    assert "Saved **Graduated IOP**" in saved and "nothing is posted" in saved
    assert "on Jun 01, 2026, for 1 year" in saved
    await add(emu, clinic.bob, clinic, "First day back at work", "2024-03-10", share=True)
    await add(emu, clinic.carol, clinic, "Carol's secret day", "2020-01-01")

    listed = await emu.invoke(clinic.bob, clinic.general, "milestone anniversary list")
    assert listed.ephemeral
    body = text(listed)
    assert "(2/10)" in body and "Carol" not in body
    assert body.index("First day back at work") < body.index("Graduated IOP")  # next first
    assert "2 years on Mar 10, 2026 (shared in #milestones)" in body

    choices = await emu.autocomplete(
        clinic.bob, clinic.general, "milestone anniversary remove", "name", "gra"
    )
    assert [c.value for c in choices] == ["Graduated IOP"]
    everything = await emu.autocomplete(
        clinic.bob, clinic.general, "milestone anniversary remove", "name", ""
    )
    assert sorted(c.value for c in everything) == ["First day back at work", "Graduated IOP"]

    shown = await emu.invoke(clinic.bob, clinic.general, "milestone show")
    assert shown.ephemeral and "haven't shared a start date" in text(shown)
    assert "Graduated IOP" in text(shown)
    await emu.invoke(clinic.bob, clinic.general, "milestone set", start="2025-01-01")
    cleared = await emu.invoke(clinic.bob, clinic.general, "milestone clear")
    assert "start date is deleted" in text(cleared)
    assert "Your 2 anniversaries are kept" in text(cleared)
    assert await count(configured) == 3

    removed = await emu.invoke(
        clinic.bob,
        clinic.general,
        "milestone anniversary remove",
        options={"name": "graduated iop"},
    )
    assert removed.ephemeral and "Removed **Graduated IOP**" in text(removed)
    # Carol's is not Bob's to remove, even by its exact name.
    other = await emu.invoke(
        clinic.bob,
        clinic.general,
        "milestone anniversary remove",
        options={"name": "Carol's secret day"},
    )
    assert other.ephemeral and "no anniversary with that name" in text(other)
    assert await count(configured) == 2


async def test_bad_input_is_refused_privately_and_changes_nothing(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    refusals = {
        "isn't a date I understand": ("Graduated IOP", "June 1st"),
        "can't be in the future": ("Graduated IOP", "2026-03-03"),
        "80 characters or fewer": ("x" * 81, "2025-06-01"),
        "Give your anniversary a name": ("   ", "2025-06-01"),
    }
    for reason, (name, day) in refusals.items():
        assert reason in await add(emu, clinic.bob, clinic, name, day)
    assert await count(configured) == 0

    for n in range(10):
        assert "Saved" in await add(emu, clinic.bob, clinic, f"Day {n}", "2025-06-01")
    assert "up to 10 anniversaries" in await add(emu, clinic.bob, clinic, "One more", "2025-06-01")
    assert "Saved" in await add(emu, clinic.carol, clinic, "x", "2025-01-01")
    assert "already have an anniversary" in await add(emu, clinic.carol, clinic, "X", "2024-01-01")
    assert await count(configured) == 11  # Bob's ten and Carol's first
    assert emu.dms(clinic.bob) == []


async def test_the_day_brings_one_private_dm_even_across_a_restart(
    emu: Emulator, clinic: Clinic, harness: Harness, travel: time_machine.Coordinates
) -> None:
    key = generate_key()
    bot = await harness.start(data_key=key)
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    await alumni_space(emu, clinic)
    await add(emu, clinic.bob, clinic, "Graduated IOP", TOMORROW_LAST_YEAR)
    row = await bot.db.fetch_one("SELECT name FROM anniversaries")
    assert row is not None and "Graduated" not in row[0]  # encrypted at rest

    cog = bot.get_cog("Milestones")
    assert await cog.celebrations.celebrate_due() == 0  # type: ignore[union-attr]
    travel.shift(timedelta(hours=20))  # tomorrow 05:00 in Chicago: too early
    assert await cog.celebrations.celebrate_due() == 0  # type: ignore[union-attr]
    travel.shift(timedelta(hours=4))  # 09:00
    assert await cog.celebrations.celebrate_due() == 1  # type: ignore[union-attr]
    row = await bot.db.fetch_one("SELECT celebrated_year FROM anniversaries")
    assert row is not None and row[0] == 2026  # queued and marked in one transaction
    # Lantern stops at once, perhaps before the DM went out: the next start delivers it.
    bot = await harness.restart(data_key=key)
    dm = await emu.wait_for_message(
        emu.dm_channel(clinic.bob), check=lambda m: "since" in m.content
    )
    assert dm.content.startswith("🌱 Today it's **1 year** since **Graduated IOP**")
    assert "Only you got this message" in dm.content

    await bot.get_cog("Milestones").tick()  # type: ignore[union-attr]
    travel.shift(timedelta(hours=5))
    await bot.get_cog("Milestones").tick()  # type: ignore[union-attr]
    await bot.outbox.settled()
    assert len(congratulations(emu, clinic.bob)) == 1
    assert emu.messages_in(channel(emu, clinic, "milestones")) == []  # not shared: no post

    travel.shift(timedelta(days=365))  # 2027-03-03 14:00 in Chicago
    assert await bot.get_cog("Milestones").celebrations.celebrate_due() == 1  # type: ignore[union-attr]
    await bot.outbox.settled()
    assert "**2 years** since **Graduated IOP**" in congratulations(emu, clinic.bob)[-1]
    assert len(congratulations(emu, clinic.bob)) == 2


async def test_a_shared_anniversary_is_posted_pinging_only_its_person(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    await alumni_space(emu, clinic)
    sneaky = f"Back at work <@{clinic.carol.user.id}> @everyone <@&{clinic.alumni_role.id}>"
    saved = await add(emu, clinic.bob, clinic, sneaky, TODAY_LAST_YEAR, share=True)
    assert "celebrate it in #milestones today" in saved, saved
    # Carol's DMs are closed (the clinic's set-up): hers stays private all the same.
    await add(emu, clinic.carol, clinic, "Moved house", TODAY_LAST_YEAR)

    assert await configured.get_cog("Milestones").celebrations.celebrate_due() == 2  # type: ignore[union-attr]
    await configured.outbox.settled()
    posts = emu.messages_in(channel(emu, clinic, "milestones"))
    assert len(posts) == 1
    post = posts[0]
    assert post.content.startswith(f"🎉 <@{clinic.bob.user.id}> marks **1 year** since")
    # Their words can't ping anyone (escaped, and only Bob is allowed to be pinged).
    assert f"<@{clinic.carol.user.id}>" not in post.content and "@everyone" not in post.content
    assert post.mentions == [clinic.bob.user.id]
    assert post.mention_roles == [] and not post.mention_everyone
    assert "Moved house" not in post.content
    assert "sharing it with the alumni" in congratulations(emu, clinic.bob)[0]
    assert congratulations(emu, clinic.carol) == []
    row = await configured.db.fetch_one(
        "SELECT landed FROM outbox WHERE kind = 'anniversary_dm' AND subject_id = 2"
    )
    assert row is not None and row[0] == "dms_closed"


async def test_mydata_delete_forgets_the_persons_anniversaries(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    await add(emu, clinic.bob, clinic, "Graduated IOP", "2025-06-01", share=True)
    await add(emu, clinic.carol, clinic, "Moved house", "2025-06-01")
    ask = await emu.invoke(clinic.bob, clinic.general, "mydata delete")
    assert "your anniversaries" in text(ask) and ask.message is not None
    done = await emu.click(clinic.bob, ask.message, button_ids(ask)[0])
    await emu.wait_for(lambda: "record(s) were deleted or anonymized" in text(done))
    rows = await configured.db.fetch_all("SELECT user_id FROM anniversaries")
    assert [r[0] for r in rows] == [clinic.carol.user.id]
