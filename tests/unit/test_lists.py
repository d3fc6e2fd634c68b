"""bot/lists.py: lines packed into fields and pages within every Discord embed limit."""

from __future__ import annotations

import pytest

from bot.lists import (
    CONTINUED,
    DESCRIPTION_LIMIT,
    ELLIPSIS,
    EMBED_LIMIT,
    FIELD_COUNT_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    TITLE_LIMIT,
    Group,
    Page,
    group_fields,
    pack,
    page_footer,
    paginate,
    shorten,
    split_line,
    windows,
)


def within_limits(page: Page) -> None:
    assert page.size <= EMBED_LIMIT
    assert len(page.title) <= TITLE_LIMIT
    assert len(page.description) <= DESCRIPTION_LIMIT
    assert len(page.fields) <= FIELD_COUNT_LIMIT
    for f in page.fields:
        assert 1 <= len(f.name) <= FIELD_NAME_LIMIT
        assert 1 <= len(f.value) <= FIELD_VALUE_LIMIT and f.value.strip()


def shown_lines(pages: list[Page]) -> list[str]:
    """Every line the pages show, in order (descriptions, then field values)."""
    out: list[str] = []
    for page in pages:
        if page.description:
            out += page.description.split("\n")
        for f in page.fields:
            out += f.value.split("\n")
    return out


# --- split_line and pack --------------------------------------------------------------------


def test_a_short_line_is_kept_whole() -> None:
    assert split_line("hello there", 11) == ["hello there"]


def test_a_long_line_breaks_at_a_word_boundary_with_ellipses() -> None:
    pieces = split_line("one two three four five", 12)
    assert pieces == ["one two…", "…three four…", "…five"]
    assert all(len(p) <= 12 for p in pieces)


def test_a_3000_character_line_is_split_not_dropped() -> None:
    words = " ".join(f"word{i:04d}" for i in range(334))  # 3,005 characters
    assert len(words) > 3000
    pieces = split_line(words, FIELD_VALUE_LIMIT)
    assert len(pieces) == 3
    assert all(len(p) <= FIELD_VALUE_LIMIT for p in pieces)
    assert pieces[0].endswith(ELLIPSIS) and pieces[-1].startswith(ELLIPSIS)
    rebuilt = " ".join(p.strip(ELLIPSIS) for p in pieces)
    assert rebuilt == words  # nothing lost, no word cut


def test_a_word_longer_than_the_limit_is_cut_between_characters() -> None:
    pieces = split_line("x" * 2500, FIELD_VALUE_LIMIT)
    assert all(len(p) <= FIELD_VALUE_LIMIT for p in pieces)
    assert "".join(p.strip(ELLIPSIS) for p in pieces) == "x" * 2500


def test_emoji_sequences_and_accents_are_never_cut_apart() -> None:
    family = "👩\u200d👩\u200d👧\u200d👦"
    for text in (family * 40, "e\u0301" * 300, "🇨🇦" * 300, "👍🏽" * 300):
        for piece in split_line(text, 50):
            core = piece.strip(ELLIPSIS)
            assert len(piece) <= 50
            assert not core.startswith(("\u200d", "\u0301", "🏽")) and not core.endswith("\u200d")
        assert "".join(p.strip(ELLIPSIS) for p in split_line(text, 50)) == text


def test_right_to_left_lines_are_packed_whole() -> None:
    line = "שלום עולם، مرحبا بالعالم"
    chunks = pack([line] * 100, 200)
    assert all(len(c) <= 200 for c in chunks)
    assert [x for c in chunks for x in c.split("\n")] == [line] * 100


def test_pack_fills_exactly_to_the_limit() -> None:
    line = "a" * 511
    assert pack([line, line], 1023) == [line + "\n" + line]
    assert pack([line, line], 1022) == [line, line]


def test_pack_keeps_empty_lines_and_order() -> None:
    assert pack(["a", "", "b"], 10) == ["a\n\nb"]
    assert pack([], 10) == []


def test_shorten_cuts_a_name_at_a_word() -> None:
    assert shorten("Spring Evening", 20) == "Spring Evening"
    assert shorten("Spring Evening Group", 16) == "Spring Evening…"


def test_split_line_needs_room() -> None:
    with pytest.raises(ValueError):
        split_line("abcdef", 2)


# --- fields ------------------------------------------------------------------------------


def test_a_long_group_continues_in_more_fields() -> None:
    fields = group_fields(Group("Near you", [f"• resource {i} " + "x" * 300 for i in range(5)]))
    # 315-character lines: three fit in 1,024, the other two continue.
    assert [f.name for f in fields] == ["Near you", f"Near you{CONTINUED}"]
    assert [f.value.count("\n") for f in fields] == [2, 1]
    assert all(len(f.value) <= FIELD_VALUE_LIMIT for f in fields)


def test_an_empty_group_shows_a_dash_and_long_names_are_shortened() -> None:
    (only,) = group_fields(Group("n" * 300, []))
    assert only.value == "—" and len(only.name) == FIELD_NAME_LIMIT


# --- paginate ----------------------------------------------------------------------------


def test_one_page_has_no_page_label() -> None:
    (page,) = paginate([Group("A", ["x"])], title="T", footer="f")
    assert page.footer == "f" and page.fields[0].value == "x"


def test_nothing_to_show_is_one_page_saying_so() -> None:
    (page,) = paginate(title="T", empty="No cohorts yet.")
    assert page.description == "No cohorts yet."


def test_more_than_25_fields_go_to_more_pages() -> None:
    groups = [Group(f"Cohort {i}", ["Mar 1 to Jun 1, 2026"]) for i in range(30)]
    pages = paginate(groups, title="Cohorts")
    assert [len(p.fields) for p in pages] == [25, 5]
    assert [p.footer for p in pages] == ["Page 1 of 2", "Page 2 of 2"]
    names = [f.name for p in pages for f in p.fields]
    assert names == [f"Cohort {i}" for i in range(30)]


def test_the_6000_total_is_never_passed_and_pages_are_full() -> None:
    groups = [Group(f"#{i} · crisis · open", ["y" * 1000]) for i in range(15)]
    pages = paginate(groups, title="Crisis alerts", footer="Newest first")
    for page in pages:
        within_limits(page)
    # Five fields of 1,000+ per page is the most that fits under 6,000.
    assert [len(p.fields) for p in pages] == [5, 5, 5]
    assert pages[0].footer == "Newest first · Page 1 of 3"


def test_exact_boundary_6000_fits_and_6001_does_not() -> None:
    # title 10 + 6 fields of (10 + 990) = 6,010: one too many for one page.
    value = "v" * 990
    title = "t" * 10
    groups = [Group(f"name {i:05d}", [value]) for i in range(6)]
    assert len(groups[0].name) == 10
    pages = paginate(groups[:5], title=title, footer="f" * 990)  # 10 + 5,000 + 990 = 6,000
    assert len(pages) == 1 and pages[0].size == EMBED_LIMIT
    pages = paginate(groups[:5], title=title, footer="f" * 991)  # 6,001: split
    assert len(pages) == 2
    for page in pages:
        within_limits(page)


def test_a_long_description_continues_on_the_next_page() -> None:
    lines = [f"<@{10**17 + i}>: **not marked** (said yes)" for i in range(200)]
    pages = paginate(lines=lines, title="Attendance")
    assert len(pages) > 1
    for page in pages:
        within_limits(page)
    assert shown_lines(pages) == lines


def test_description_then_fields_share_the_last_page() -> None:
    pages = paginate([Group("Status", ["active"])], lines=["<@1>: agreed"], title="Spring")
    (page,) = pages
    assert page.description == "<@1>: agreed" and page.fields[0].name == "Status"


def test_a_group_that_fits_on_a_page_is_not_split_across_two() -> None:
    groups = [Group("first", ["a" * 1000] * 4), Group("second", ["b" * 1000] * 2)]
    pages = paginate(groups)
    assert [[f.name for f in p.fields] for p in pages] == [
        ["first", f"first{CONTINUED}", f"first{CONTINUED}", f"first{CONTINUED}"],
        ["second", f"second{CONTINUED}"],
    ]


def test_every_line_appears_exactly_once_in_order() -> None:
    groups = [
        Group(f"#{i}", [f"line {i}.{j} " + "z" * (i * 37 % 400) for j in range(i % 9 + 1)])
        for i in range(60)
    ]
    pages = paginate(groups, title="Log", footer="footer")
    for page in pages:
        within_limits(page)
    assert shown_lines(pages) == [line for g in groups for line in g.lines]
    count = len(pages)
    assert pages[-1].footer == f"footer · Page {count} of {count}"


def test_page_labels_with_more_digits_still_fit() -> None:
    groups = [Group(f"g{i}", ["w" * 1000]) for i in range(60)]  # 12 pages: "Page 12 of 12"
    pages = paginate(groups, title="t" * 256, footer="f" * 1500)
    assert len(pages) >= 10
    for page in pages:
        within_limits(page)


def test_page_footer() -> None:
    assert page_footer("", 1, 1) == ""
    assert page_footer("", 2, 3) == "Page 2 of 3"
    assert page_footer("Reminders: off", 1, 2) == "Reminders: off · Page 1 of 2"


def test_windows_of_select_options() -> None:
    assert windows(50) == [range(0, 25), range(25, 50)]
    assert windows(51)[-1] == range(50, 51)
    assert windows(0) == [range(0)]


# --- where the lists are used ---------------------------------------------------------------


def test_a_plan_too_long_to_go_with_the_crisis_lines_gives_way_not_the_lines() -> None:
    import discord

    from bot.pages import embed_size, fit_beside

    support = discord.Embed(title="Help", description="d" * 4000)
    plan = discord.Embed(title="Your safety plan")
    for i in range(7):
        plan.add_field(name=f"part {i}", value=("p" * (100 + 100 * i)))
    fitted = fit_beside(plan, [support], "`/safetyplan show` has your whole plan.")
    assert fitted is not None
    assert embed_size(fitted) + embed_size(support) <= EMBED_LIMIT
    names = [f.name for f in fitted.fields]
    assert names[-1] == "Also in it" and "part 6" in (fitted.fields[-1].value or "")
    assert "part 0" in names  # the shortest parts stay
    small = discord.Embed(title="Your safety plan").add_field(name="a", value="b")
    assert fit_beside(small, [support], "note") is small


def test_the_safety_plan_modal_never_prefills_more_than_it_accepts() -> None:
    from cogs.support.plan_parts import PERSON_LIMIT, Person, parse_person, person_text, prefill

    # "Name:contact" typed without spaces, 100 characters: shown as "Name - contact" it
    # would be 102 (Discord refuses the modal); the pre-fill keeps it within 100.
    typed = "Sam:" + "5" * 96
    person = parse_person(typed)
    assert person is not None and person.reach == "5" * 96
    text = person_text(person)
    assert len(text) <= PERSON_LIMIT and parse_person(text) == person
    assert person_text(Person("Sam", "555 0101")) == "Sam - 555 0101"
    # A value saved longer than today's limit widens the field instead of failing.
    assert prefill("x" * 700, 600) == ("x" * 700, 700)
    assert prefill("short", 600) == ("short", 600)
    assert prefill(None, 600) == (None, 600)
    default, limit = prefill("y" * 5000, 600)
    assert default is not None and len(default) == limit == 4000
