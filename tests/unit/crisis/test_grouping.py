"""The pure grouping decision: join the open alert or raise a new one, and what follows."""

import pytest

from cogs.crisis.grouping import Grouping, OpenAlert, decide, stronger


@pytest.mark.parametrize("level", ["concern", "crisis"])
def test_no_open_alert_raises_a_new_one_and_a_crisis_repeats(level: str) -> None:
    assert decide(level, None) == Grouping(
        joins=None, level=level, upgraded=False, arm=level == "crisis"
    )


def test_a_crisis_joining_a_concern_upgrades_it_and_starts_repeats() -> None:
    current = OpenAlert(7, "concern", waiting=True, armed=False)
    assert decide("crisis", current) == Grouping(joins=7, level="crisis", upgraded=True, arm=True)


def test_a_concern_never_lowers_a_crisis_and_does_not_rearm_it() -> None:
    current = OpenAlert(7, "crisis", waiting=True, armed=True)
    assert decide("concern", current) == Grouping(
        joins=7, level="crisis", upgraded=False, arm=False
    )


def test_an_acknowledged_alert_is_joined_but_not_repeated_again() -> None:
    current = OpenAlert(7, "concern", waiting=False, armed=False)
    decision = decide("crisis", current)
    assert (decision.joins, decision.level, decision.upgraded, decision.arm) == (
        7,
        "crisis",
        True,
        False,
    )


def test_a_crisis_alert_whose_repeats_stopped_is_armed_again_while_waiting() -> None:
    current = OpenAlert(7, "crisis", waiting=True, armed=False)
    assert decide("crisis", current).arm is True


def test_stronger_level() -> None:
    assert stronger("concern", None) == "concern"
    assert stronger("concern", "crisis") == "crisis"
    assert stronger("crisis", "concern") == "crisis"
