"""The weekly "alumni to reach out to" list fits Discord's limits for 5,000 quiet alumni."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot import lists
from bot.pages import embed_size
from cogs.alumni.outreach_list import MAX_PAGES, list_embeds
from cogs.alumni.outreach_logic import Activity, Alumnus, Contact, Quiet

ZONE = ZoneInfo("America/Chicago")
NOW = datetime(2026, 6, 1, 17, 0, tzinfo=UTC)


def quiet(count: int) -> list[Quiet]:
    return [
        Quiet(
            Alumnus(10**17 + i, f"Cohort with a long name {i % 400}", date(2025, 1, 1)),
            Activity("check-in", date(2026, 5, 1) - timedelta(days=i % 300)),
            Contact(last_dm_at=NOW - timedelta(days=3), dms_closed_at=NOW),
            dm_now=False,
        )
        for i in range(count)
    ]


def test_five_thousand_quiet_alumni_fit_in_a_bounded_number_of_messages() -> None:
    embeds = list_embeds(quiet(5000), NOW, ZONE)
    assert 1 < len(embeds) <= MAX_PAGES
    for embed in embeds:
        assert embed_size(embed) <= lists.EMBED_LIMIT
        assert len(embed.description or "") <= lists.DESCRIPTION_LIMIT
    shown = sum((e.description or "").count("<@") for e in embeds)
    assert f"…and {5000 - shown} more quiet alumni" in (embeds[-1].description or "")


def test_a_short_list_is_one_message_with_everyone() -> None:
    [embed] = list_embeds(quiet(12), NOW, ZONE)
    assert (embed.description or "").count("<@") == 12
    assert "12 quiet alum(ni)" in (embed.footer.text or "")


def test_nobody_quiet_says_so() -> None:
    [embed] = list_embeds([], NOW, ZONE)
    assert "Nobody has gone quiet" in (embed.description or "")
