"""Crisis texts fit Discord's limits with every local resource the server lists."""

from datetime import UTC, datetime, timedelta

from bot.pages import embed_size
from cogs.crisis import messages
from cogs.crisis.store import LocalResource
from cogs.support.hours import parse, shift_at
from config.resources import load_resources

REGION = load_resources().region("US")


def longest(i: int) -> LocalResource:
    # /resources add allows name 80, contact 120, hours 60, note 200 characters.
    return LocalResource(i, f"{i:02d} " + "N" * 77, "C" * 120, "H" * 60, "n" * 200)


def test_fifteen_resources_at_maximum_length_all_appear_within_discords_limits() -> None:
    """The most /resources add allows, at its longest, in every region, on shift or not:
    every resource appears, the crisis lines lead uncut, one message holds it all (6,000
    characters, 25 fields, 1,024 a field), and /help-now sends every detail after its card."""
    table = load_resources()
    local = [longest(i) for i in range(15)]
    monday = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    off = shift_at(parse("Sat 10:00-14:00"), "America/Argentina/ComodRivadavia", monday)
    for code in table.regions:
        region = table.region(code)
        card, details = messages.help_now_embed(region, local, off)
        support = messages.support_embed(region, local, "S" * 100, off)
        for embed in (support, card):
            values = [f.value or "" for f in embed.fields]
            assert all(0 < len(v) <= 1024 for v in values), code
            assert len(embed.fields) <= 25 and embed_size(embed) <= 6000, code
            shown = "\n".join(values)
            assert all(f"• {i:02d} " in shown for i in range(15)), code  # none dropped
            assert all("C" * 120 in line for line in shown.splitlines() if "• " in line)
            assert region.resources[0].name in (embed.description or ""), code  # lines lead
        assert messages.MORE_DETAIL in "\n".join(f.value or "" for f in support.fields)
        assert details, code  # the card left details out: they follow
        every = "\n".join(f.value or "" for e in details for f in e.fields)
        assert all(line in every for line in messages.local_lines(local)), code
        assert all(embed_size(e) <= 6000 and len(e.fields) <= 25 for e in details)


def test_resources_that_fit_are_shown_in_full_with_nothing_after() -> None:
    local = [LocalResource(i, f"Place {i}", "555-0100", "24/7", "walk in") for i in range(3)]
    card, details = messages.help_now_embed(REGION, local)
    assert details == []
    assert "• Place 2: 555-0100 · 24/7 (walk in)" in card.fields[0].value  # type: ignore[operator]


# --- who is on shift: honest wording -------------------------------------------------------

CHICAGO = "America/Chicago"
WEEKDAYS = parse("Mon-Fri 09:00-17:00")
FRIDAY_6PM = datetime(2026, 3, 7, 0, 0, tzinfo=UTC)  # Fri 6 March 18:00 in Chicago
MONDAY_9AM = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)  # daylight time from 8 March: UTC-5


def test_shift_says_on_now_off_with_the_next_start_or_no_hours_at_all() -> None:
    on = shift_at(WEEKDAYS, CHICAGO, MONDAY_9AM + timedelta(hours=1))
    assert on.published and on.on_now and on.next_at is None
    off = shift_at(WEEKDAYS, CHICAGO, FRIDAY_6PM)
    assert off.published and not off.on_now
    assert off.next_at == MONDAY_9AM and off.next_local() == "Mon 09:00"
    unset = shift_at([], CHICAGO, FRIDAY_6PM)
    assert not unset.published and not unset.on_now and unset.next_at is None


def test_off_shift_texts_give_the_server_time_and_a_timestamp_for_the_reader() -> None:
    off = shift_at(WEEKDAYS, CHICAGO, FRIDAY_6PM)
    unix = int(MONDAY_9AM.timestamp())
    for said in (
        messages.who_is_there(off),
        messages.help_now_staff(off),
        messages.alerted_reply(off),
    ):
        assert "**Mon 09:00** (America/Chicago time)" in said
        assert f"<t:{unix}:F>" in said and f"<t:{unix}:R>" in said
        assert "on shift right now" in said
    assert messages.alerted_reply(off).startswith("If you are in danger")
    assert f"<t:{unix}:F>" in messages.channel_note(REGION, off)


def test_on_shift_and_no_hours_promise_no_time() -> None:
    on = shift_at(WEEKDAYS, CHICAGO, MONDAY_9AM)
    unset = shift_at([], CHICAGO, FRIDAY_6PM)
    assert "is on shift now" in messages.who_is_there(on)
    assert "on shift" in messages.alerted_reply(on)
    assert "a facilitator will check in." in messages.channel_note(REGION, on)
    for said in (
        messages.who_is_there(unset),
        messages.who_is_there(None),
        messages.help_now_staff(unset),
        messages.alerted_reply(unset),
        messages.channel_note(REGION, unset),
    ):
        assert "when they are next online" in said and "<t:" not in said


def test_the_crisis_lines_still_lead_off_shift_and_help_now_names_who_is_there() -> None:
    off = shift_at(WEEKDAYS, CHICAGO, FRIDAY_6PM)
    support = messages.support_embed(REGION, [], "Hope IOP", off)
    assert "988" in (support.description or "")
    assert "Nobody from your program is on shift right now" in support.fields[-1].value  # type: ignore[operator]
    card, _ = messages.help_now_embed(REGION, [], off)
    assert "988" in (card.description or "")
    assert [f.name for f in card.fields] == ["Your facilitators"]
    assert [f.name for f in messages.help_now_embed(REGION, [])[0].fields] == []
