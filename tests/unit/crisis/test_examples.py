"""Readable examples for each hard category, the public API, and robustness."""

from __future__ import annotations

import io
import json
import time

import pytest

from cogs.crisis.classify import run
from cogs.crisis.detector import Detector, Reason, Verdict, classify


def _cases(level: str, *texts: str) -> list[tuple[str, str]]:
    return [(text, level) for text in texts]


FIGURATIVE = _cases(
    "none",
    "this shift is killing me",
    "dying to see you all thursday",
    "I killed it at work today!!",
    "ive been killing myself at the gym lol",
    "my mom is gonna kill me when she sees my grades",
    "me muero de risa 😂",
    "me quiero morir de vergüenza jajaja",
)
GAMES_LYRICS_NEWS = _cases(
    "none",
    "I keep dying on this boss",
    "my character keeps killing himself by falling off the map",
    "the song goes 'I want to die' and it's stuck in my head",
    "suicide squad was such a bad movie",
    "a man killed himself in the news today",
)
PAST_AND_RECOVERY = _cases(
    "none",
    "I used to want to die, two years clean now",
    "when i was 16 i tried to kill myself. now im 30 and doing okay",
    "hace dos años intenté suicidarme, hoy estoy muy agradecida",
) + _cases("crisis", "i used to want to die but tonight i have the pills ready")
THIRD_PERSON = _cases(
    "concern",
    "my cousin tried to kill himself last night",
    "my best friend is suicidal and i dont know what to do",
    "mi primo intentó suicidarse",
) + _cases("crisis", "he said he'd kill me if i leave")
NEGATION = _cases(
    "none",
    "I would never hurt myself",
    "I'm not suicidal, just tired",
    "no me quiero morir, quiero ver crecer a mis hijos",
) + _cases("crisis", "not gonna lie i've been thinking about killing myself")
RESOURCES = _cases(
    "none",
    "what's the number for the crisis line?",
    "how do I help a friend who's suicidal",
    "is 988 free to call?",
)
INDIRECT = _cases(
    "crisis",
    "everyone would be better off without me",
    "I won't be at group next week or ever",
    "wrote letters to my kids tonight",
    "I have the pills lined up",
    "giving my guitar to my brother, won't need it",
)
SLANG = _cases(
    "crisis",
    "gonna kms",
    "i want to unalive myself",
    "i'm gonna end it tonight",
    "gonna O.D. tonight",
) + _cases("none", "i drove 100 kms to see my mom", "od on chocolate lol")
SPANISH = _cases(
    "crisis",
    "me quiero morir",
    "quiero matarme",
    "no aguanto más, quiero morirme",
    "ya no quiero vivir",
    "me voy a cortar",
) + _cases("concern", "recaí anoche", "no aguanto más")
CONCERN = _cases(
    "concern",
    "i can't do this anymore",
    "relapsed this weekend. im so ashamed",
    "i really want to use tonight",
    "haven't slept in 3 days",
    "having a panic attack rn",
)


@pytest.mark.parametrize(
    ("text", "level"),
    FIGURATIVE
    + GAMES_LYRICS_NEWS
    + PAST_AND_RECOVERY
    + THIRD_PERSON
    + NEGATION
    + RESOURCES
    + INDIRECT
    + SLANG
    + SPANISH
    + CONCERN,
)
def test_hard_categories(text: str, level: str) -> None:
    verdict = classify(text)
    rules = [reason.rule for reason in verdict.reasons]
    if level == "concern" and verdict.decided_by == "model":
        # The model may raise a rules concern to crisis (it never lowers a level).
        assert verdict.level == "crisis" and verdict.reasons[1].level == "concern", rules
    else:
        assert verdict.level == level, rules


def test_verdict_shape_and_spans_in_the_original() -> None:
    text = "ok... i want to k1ll mys3lf 😭"
    verdict = classify(text)
    assert isinstance(verdict, Verdict) and verdict.level == "crisis"
    assert 0.7 <= verdict.score <= 1.0
    reason = verdict.reasons[0]
    assert isinstance(reason, Reason)
    assert reason.id == reason.rule == "ideation.kill_self"
    assert reason.category == "ideation" and reason.level == "crisis" and reason.label
    assert text[reason.span[0] : reason.span[1]] == reason.text == "k1ll mys3lf"
    data = json.loads(json.dumps(verdict.to_json()))
    assert set(data) == {"level", "score", "reasons"}
    assert data["reasons"][0]["span"] == list(reason.span)
    assert set(data["reasons"][0]) >= {"rule", "label", "category", "level", "span", "text"}


def test_scores_order_levels() -> None:
    assert classify("hello").score == 0.0
    assert 0.35 <= classify("i give up").score < 0.7
    assert classify("i want to die").score >= 0.7


def test_escalation_is_explained() -> None:
    verdict = classify("sorry for everything guys. i love you all")
    assert verdict.level == "crisis"
    assert verdict.reasons[0].rule == "escalation.farewell_words"


def test_detector_from_a_path_matches_the_default(detector: Detector) -> None:
    from cogs.crisis.rules import DEFAULT_RULES_PATH

    other = Detector(DEFAULT_RULES_PATH)
    assert other.classify("gonna kms").to_json() == detector.classify("gonna kms").to_json()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "😭" * 3000,
        "a" * 5000,
        "i want to die " * 400,
        "k " * 3000,
        "d̴̛̛̛̖̖̖i̷̡̡̡e̶̶̶͎͎͎" * 300,
        "```python\nwhile True:\n    kill(process)\n```",
        "<@123> <#456> <:x:789> https://x.y/" + "!" * 4000,
        "s*" * 2000 + "icide",
        "\x00\x01\ud800 broken surrogate",
        "1" * 5000 + "a",
    ],
)
def test_never_raises_and_stays_fast(detector: Detector, text: str) -> None:
    started = time.perf_counter()
    verdict = detector.classify(text)
    elapsed = time.perf_counter() - started
    assert verdict.level in ("crisis", "concern", "none") and verdict.error is None
    json.dumps(verdict.to_json())
    # Typical worst cases take ~0.1 s; catastrophic backtracking would take seconds. The
    # margin absorbs noisy CI machines.
    assert elapsed < 1.0, f"{elapsed:.3f}s"


def test_non_string_input_is_none(detector: Detector) -> None:
    assert detector.classify(None).level == "none"  # type: ignore[arg-type]


def test_cli_run_writes_one_json_line_per_input_line() -> None:
    out = io.StringIO()
    status = run(["i want to die\n", "\n", "good morning everyone\n", "recaí anoche"], out)
    assert status == 0
    lines = out.getvalue().splitlines()
    assert [json.loads(line)["level"] for line in lines] == ["crisis", "none", "none", "concern"]
    assert json.loads(lines[1]) == {"level": "none", "score": 0.0, "reasons": []}
