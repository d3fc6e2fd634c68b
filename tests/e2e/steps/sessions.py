"""Session steps: add a series, find a cohort's announcements channel and an occurrence,
and the reminders posted there."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.client import LanternBot
from cogs.cohorts.store import Cohort, CohortStore
from emulator import Emulator
from emulator.model import Channel, Message
from tests.e2e.harness import Clinic
from tests.e2e.steps.common import text


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def cohort_of(bot: LanternBot, clinic: Clinic, name: str) -> Cohort:
    found = await CohortStore(bot.db).by_name(clinic.guild.id, name)
    assert found is not None
    return found


async def announcements(emu: Emulator, bot: LanternBot, clinic: Clinic, name: str) -> Channel:
    cohort = await cohort_of(bot, clinic, name)
    return emu.world.channels[cohort.announcements_channel_id or 0]


async def add(
    emu: Emulator, clinic: Clinic, cohort: str = "Spring Evening", **options: object
) -> str:
    values: dict[str, object] = {
        "cohort": cohort,
        "title": "Group therapy",
        "weekdays": "Mon,Wed,Thu",
        "time": "18:00",
        "duration": "3h",
    }
    values.update(options)
    res = await emu.invoke(clinic.alice, clinic.general, "session add", options=values)
    assert res.ephemeral
    return text(res)


async def occurrence(bot: LanternBot, local_start: str) -> int:
    """The id of the (latest) occurrence first planned at `local_start`."""
    row = await bot.db.fetch_one(
        "SELECT id FROM session_occurrences WHERE original_start = ? ORDER BY id DESC",
        (local_start,),
    )
    assert row is not None, local_start
    return int(row["id"])


def bot_posts(emu: Emulator, channel: Channel) -> list[Message]:
    return [m for m in emu.messages_in(channel) if m.author.id == emu.bot_user_id]


def reminders_in(emu: Emulator, channel: Channel) -> list[Message]:
    return [m for m in bot_posts(emu, channel) if "⏰" in text(m)]
