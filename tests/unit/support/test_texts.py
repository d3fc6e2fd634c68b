from pathlib import Path

import pytest

from cogs.support.ground import breath_frames, run_paced
from cogs.support.plan import PARTS, parse_person
from cogs.support.store import Person
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
