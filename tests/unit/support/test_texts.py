from pathlib import Path

import pytest

from cogs.support import texts
from cogs.support.ground import breath_frames, run_paced
from cogs.support.plan_parts import PARTS, PLAN_PARTS, Person, SafetyPlan, next_part, parse_person
from config.coping import load_coping
from config.resources import DataFileError


def test_the_coping_file_validates_and_has_the_four_exercises() -> None:
    texts = load_coping()
    assert set(texts.exercises) == {"senses", "box", "urge", "tipp"}
    assert texts.exercises["box"].kind == "paced"
    assert texts.exercises["tipp"].kind == "card"


def test_a_broken_coping_file_names_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "coping.toml"
    bad.write_text(
        'version = 1\noutro = "x"\n[exercises.box]\nlabel = "B"\ntitle = "t"\nintro = "i"\n'
    )
    with pytest.raises(DataFileError, match=r"exercises\.box"):
        load_coping(bad)


async def test_box_breathing_edits_once_per_phase_at_the_given_pace() -> None:
    exercise = load_coping().exercises["box"]
    frames = breath_frames(exercise)
    assert len(frames) == 1 + exercise.rounds * len(exercise.phases)
    shown: list[str] = []
    waits: list[float] = []

    async def edit(text: str) -> None:
        shown.append(text)

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    await run_paced(edit, frames, 4, sleep)
    assert shown == frames and waits == [4] * (len(frames) - 1)


def test_people_are_read_as_name_and_how_to_reach_them() -> None:
    assert parse_person("Mom - 555 0101") == Person("Mom", "555 0101")
    assert parse_person("Jim: text him") == Person("Jim", "text him")
    assert parse_person("My sponsor Jim") == Person("My sponsor Jim")
    assert parse_person("   ") is None


def test_modal_labels_fit_discords_limits() -> None:
    for part in PARTS:
        assert len(part.question) <= 45 and len(part.hint) <= 100 and len(part.button) <= 45


def test_a_reminder_counts_itself_and_never_names_the_person() -> None:
    url = "https://discord.com/channels/1/2"
    first = texts.reminder_line(4, 15, 0, "<@&9>", url)
    assert (
        first == f"<@&9> 💬 Conversation #4 has waited 15 minute(s) for a reply (1 reminder): {url}"
    )
    assert "(3 reminders)" in texts.reminder_line(4, 45, 2, "<@7>", url)
    assert texts.reminder_line(4, 1, 0, "", url).startswith("💬")  # nobody to ping


def test_the_next_part_to_highlight_wraps_past_the_last() -> None:
    plan = SafetyPlan(1, 2, parts={"warning_signs": "x", "reasons": "y"})
    assert next_part(None) == "warning_signs"
    assert next_part(plan) == "coping_alone"
    assert next_part(plan, after="safer_surroundings") == "coping_alone"  # reasons is done
    full = SafetyPlan(1, 2, parts=dict.fromkeys(PLAN_PARTS, "x"), people=(Person("Sam"),))
    assert next_part(full) is None
