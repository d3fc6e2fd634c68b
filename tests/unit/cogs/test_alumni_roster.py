"""`/alumni roster` lines: the quietest first, days not answers."""

from __future__ import annotations

from datetime import date

from cogs.alumni.roster import Graduate, roster_lines

TODAY = date(2026, 6, 30)


def test_the_longest_without_a_check_in_comes_first() -> None:
    people = [
        Graduate(1, "Spring", date(2026, 5, 22), date(2026, 6, 29)),
        Graduate(2, "Spring", date(2026, 5, 22), None),
        Graduate(3, "Winter", date(2026, 2, 20), date(2026, 6, 1)),
        Graduate(4, "Winter", date(2026, 2, 20), date(2026, 2, 1)),  # only before graduating
    ]
    lines = roster_lines(people, TODAY)
    assert [line.split(">")[0] for line in lines] == ["<@4", "<@2", "<@3", "<@1"]
    assert lines[1].endswith("no check-in since graduating")
    assert "last check-in Jun 01 (29 days ago)" in lines[2]
    assert "graduated May 22, 2026" in lines[3]
