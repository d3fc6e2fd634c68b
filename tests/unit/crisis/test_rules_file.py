"""The rules file: the shipped one is valid and documented; broken ones name the bad entry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cogs.crisis.detector import Detector
from cogs.crisis.rules import DEFAULT_RULES_PATH, RulesFileError, load_rules

MINIMAL = """
version = 1
clause_breaks = ['''[.!?]''']
[score]
concern = 0.3
crisis = 0.7
[normalise]
[categories]
ideation = "Suicidal thoughts"
[[rule]]
id = "ideation.want_to_die"
category = "ideation"
level = "crisis"
weight = 0.9
label = "Says they want to die"
patterns = ['''\\bwant to die\\b''']
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_file_loads_and_is_versioned() -> None:
    rules = load_rules()
    assert rules.version >= 1
    assert len(rules.rule) >= 20 and rules.modifier and rules.escalation
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    assert text.count("\n#") > 40, "each section of the rules file must be commented"


def test_every_rule_example_still_matches_its_rule(detector: Detector) -> None:
    for rule in load_rules().rule:
        for example in rule.examples:
            assert detector.rule_matches(rule.id, example), (rule.id, example)


def test_minimal_file_gives_a_working_detector(tmp_path: Path) -> None:
    detector = Detector(_write(tmp_path, MINIMAL))
    assert detector.classify("I want to die").level == "crisis"
    assert detector.classify("hello").level == "none"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('category = "ideation"\nlevel', 'category = "nope"\nlevel', "rule 'ideation.want_to_die'"),
        ("'''\\bwant to die\\b'''", "'''want to (die'''", "pattern 1 does not compile"),
        ("'''\\bwant to die\\b'''", "'''(?:x)?'''", "matches empty text"),
        ("'''\\bwant to die\\b'''", "'''{nothing} die'''", "unknown macro {nothing}"),
        ('level = "crisis"', 'level = "urgent"', "rule 'ideation.want_to_die': level"),
        ("weight = 0.9", "weight = 2", "rule 'ideation.want_to_die': weight"),
        ('label = "Says they want to die"\n', "", "rule 'ideation.want_to_die': label"),
        ("version = 1", "version = 0", "version"),
        ("concern = 0.3", "concern = 0.8", "score.concern must be below score.crisis"),
    ],
)
def test_broken_entry_is_named(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in MINIMAL
    with pytest.raises(RulesFileError, match=re.escape(message)):
        load_rules(_write(tmp_path, MINIMAL.replace(old, new)))


def test_duplicate_ids_and_unknown_references_are_named(tmp_path: Path) -> None:
    duplicate = MINIMAL + MINIMAL[MINIMAL.index("[[rule]]") :]
    with pytest.raises(RulesFileError, match=re.escape("'ideation.want_to_die': id is used twice")):
        load_rules(_write(tmp_path, duplicate))
    modifier = MINIMAL + (
        '[[modifier]]\nid = "negation.x"\neffect = "cancel"\nscope = "before"\n'
        "label = \"negated\"\npatterns = ['''\\\\bnot\\\\b''']\napplies_to = [\"ghost\"]\n"
    )
    with pytest.raises(
        RulesFileError, match=re.escape("modifier 'negation.x': applies_to unknown")
    ):
        load_rules(_write(tmp_path, modifier))
    escalation = MINIMAL + (
        '[[escalation]]\nid = "escalation.x"\nlevel = "crisis"\nweight = 0.5\n'
        'label = "x"\nall_of = ["ghost"]\n'
    )
    with pytest.raises(
        RulesFileError, match=re.escape("escalation 'escalation.x': unknown category")
    ):
        load_rules(_write(tmp_path, escalation))


def test_unknown_field_is_named(tmp_path: Path) -> None:
    broken = MINIMAL.replace("weight = 0.9", "weight = 0.9\nwieght = 0.9")
    with pytest.raises(RulesFileError, match=re.escape("rule 'ideation.want_to_die': wieght")):
        load_rules(_write(tmp_path, broken))


def test_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match="file not found"):
        load_rules(tmp_path / "absent.toml")
    with pytest.raises(RulesFileError, match="not valid TOML"):
        load_rules(_write(tmp_path, "version = [\n"))
