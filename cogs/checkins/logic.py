"""Check-in rules with no discord and no database: answers, risk, streaks, averages,
the facilitators' digest, and PHQ-9 / GAD-7 scoring."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import fmean
from typing import Protocol
from zoneinfo import ZoneInfo

MOODS = {1: "Rough", 2: "Low", 3: "Okay", 4: "Good", 5: "Great"}
MOOD_EMOJI = {1: "😣", 2: "😕", 3: "😐", 4: "🙂", 5: "😄"}
CRAVINGS = range(0, 11)
SLEEP_CHOICES = {4: "4 hours or less", **{h: f"{h} hours" for h in range(5, 10)}, 10: "10 or more"}
USED = {"no": "No", "yes": "Yes", "skip": "Prefer not to say"}

HIGH_CRAVINGS = 7
LOW_MOOD = 2
MOOD_DROP = 2
MISSED_DAYS_FLAG = 2
MAX_NOTE = 1000


@dataclass(frozen=True)
class Answers:
    mood: int | None = None
    cravings: int | None = None
    sleep_hours: int | None = None
    used: str | None = None
    note: str | None = None

    @property
    def complete_enough(self) -> bool:
        """Mood is the one answer a check-in needs; the rest are optional."""
        return self.mood is not None


@dataclass(frozen=True)
class DayEntry:
    """One day's check-in as the rules see it."""

    day: date
    mood: int
    cravings: int | None = None
    sleep_hours: int | None = None
    used: str | None = None


def risk_level(answers: Answers) -> str | None:
    """Answers that need a human even without a worrying note: reported use together with
    high cravings is at least a concern."""
    if answers.used == "yes" and (answers.cravings or 0) >= HIGH_CRAVINGS:
        return "concern"
    return None


def streak(days: Iterable[date], today: date) -> int:
    """Consecutive days with a check-in, ending today (or yesterday: today isn't over)."""
    have = set(days)
    cursor = today if today in have else today - timedelta(days=1)
    count = 0
    while cursor in have:
        count += 1
        cursor -= timedelta(days=1)
    return count


@dataclass(frozen=True)
class Averages:
    mood: float | None
    cravings: float | None
    sleep_hours: float | None
    count: int


def averages(entries: Sequence[DayEntry]) -> Averages:
    def mean(values: list[int]) -> float | None:
        return round(fmean(values), 1) if values else None

    return Averages(
        mood=mean([e.mood for e in entries]),
        cravings=mean([e.cravings for e in entries if e.cravings is not None]),
        sleep_hours=mean([e.sleep_hours for e in entries if e.sleep_hours is not None]),
        count=len(entries),
    )


# --- the facilitators' digest ------------------------------------------------------------


@dataclass
class PersonDigest:
    user_id: int
    checked_in: bool = False
    missed_days: int = 0
    mood: int | None = None
    mood_before: float | None = None
    cravings: int | None = None
    used: bool = False
    band_rises: list[str] = field(default_factory=list)
    dms_closed: bool = False

    @property
    def low_or_falling_mood(self) -> bool:
        if self.mood is None:
            return False
        falling = self.mood_before is not None and self.mood_before - self.mood >= MOOD_DROP
        return self.mood <= LOW_MOOD or falling

    @property
    def high_cravings(self) -> bool:
        return self.cravings is not None and self.cravings >= HIGH_CRAVINGS


def days_since_last(entries: Sequence[DayEntry], day: date, since: date) -> int:
    """Whole days up to and including `day` with no check-in, counted back to the last
    check-in (or to `since`, when the person started: nobody 'misses' days before joining)."""
    before = [e.day for e in entries if e.day <= day]
    last = max(before) if before else since - timedelta(days=1)
    return max((day - last).days, 0)


def digest_person(
    user_id: int,
    entries: Sequence[DayEntry],
    day: date,
    *,
    since: date,
    asked: bool,
    band_rises: Sequence[str] = (),
    dms_closed: bool = False,
) -> PersonDigest:
    """What the digest says about one person for `day` (usually yesterday, local time).
    `asked`: they get prompts, so missing days means something."""
    ordered = sorted(entries, key=lambda e: e.day)
    today = next((e for e in ordered if e.day == day), None)
    person = PersonDigest(user_id, band_rises=list(band_rises), dms_closed=dms_closed)
    if today is not None:
        person.checked_in = True
        person.mood = today.mood
        earlier = [e.mood for e in ordered if e.day < day][-3:]
        person.mood_before = round(fmean(earlier), 1) if earlier else None
        person.cravings = today.cravings
        person.used = today.used == "yes"
    elif asked:
        person.missed_days = days_since_last(ordered, day, since)
    return person


def needs_attention(person: PersonDigest) -> list[str]:
    """Why a facilitator may want to look at this person (empty: nothing to flag)."""
    reasons = []
    if person.missed_days >= MISSED_DAYS_FLAG:
        reasons.append(f"missed {person.missed_days} days")
    if person.low_or_falling_mood:
        was = f" (was {person.mood_before:g})" if person.mood_before is not None else ""
        reasons.append(f"mood {person.mood}/5{was}")
    if person.high_cravings:
        reasons.append(f"cravings {person.cravings}/10")
    if person.used:
        reasons.append("reported use")
    reasons.extend(person.band_rises)
    if person.dms_closed:
        reasons.append("DMs closed: prompts can't reach them")
    return reasons


# --- PHQ-9 and GAD-7 ---------------------------------------------------------------------

SCALE = ("Not at all", "Several days", "More than half the days", "Nearly every day")


@dataclass(frozen=True)
class Instrument:
    key: str
    name: str
    stem: str
    items: tuple[str, ...]
    bands: tuple[tuple[int, str], ...]
    """(lowest score, band name), ascending."""

    @property
    def max_score(self) -> int:
        return 3 * len(self.items)


PHQ9 = Instrument(
    key="phq9",
    name="PHQ-9",
    stem="Over the last 2 weeks, how often have you been bothered by any of the following "
    "problems?",
    items=(
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or "
        "your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    bands=(
        (0, "minimal"),
        (5, "mild"),
        (10, "moderate"),
        (15, "moderately severe"),
        (20, "severe"),
    ),
)
GAD7 = Instrument(
    key="gad7",
    name="GAD-7",
    stem="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=(
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    ),
    bands=((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")),
)
INSTRUMENTS = {PHQ9.key: PHQ9, GAD7.key: GAD7}
PHQ9_SELF_HARM_ITEM = 8  # zero-based index of item 9
ASSESSMENT_EVERY = timedelta(days=7)


def score(instrument: Instrument, answers: Sequence[int]) -> int:
    if len(answers) != len(instrument.items) or any(a not in range(4) for a in answers):
        raise ValueError(f"{instrument.name} needs {len(instrument.items)} answers from 0 to 3")
    return sum(answers)


def band(instrument: Instrument, total: int) -> str:
    if not 0 <= total <= instrument.max_score:
        raise ValueError(f"{instrument.name} scores run from 0 to {instrument.max_score}")
    return [name for floor, name in instrument.bands if total >= floor][-1]


def band_index(instrument: Instrument, name: str) -> int:
    return [n for _, n in instrument.bands].index(name)


def self_harm_flag(instrument: Instrument, item: int, answer: int) -> bool:
    """A positive answer on PHQ-9 item 9 always goes to the crisis escalation."""
    return instrument is PHQ9 and item == PHQ9_SELF_HARM_ITEM and answer > 0


def rose_a_band(instrument: Instrument, previous: str | None, latest: str) -> bool:
    return previous is not None and band_index(instrument, latest) > band_index(
        instrument, previous
    )


class Scored(Protocol):
    """A completed questionnaire as `band_rises` sees it (an `Assessment`)."""

    @property
    def instrument(self) -> str: ...
    @property
    def band(self) -> str | None: ...
    @property
    def completed_at(self) -> datetime | None: ...


def band_rises(done: Sequence[Scored], day: date, timezone: str) -> list[str]:
    """'PHQ-9 up to moderate (was mild)' for scores completed on `day` (local) that rose a
    band. `done`: one person's scores in the order completed; only each instrument's latest
    two matter, and the order of their first scores orders the lines."""
    by_instrument: dict[str, list[Scored]] = defaultdict(list)
    for a in done:
        by_instrument[a.instrument].append(a)
    rises = []
    for key, scores in by_instrument.items():
        latest = scores[-1]
        if len(scores) < 2 or latest.completed_at is None or latest.band is None:
            continue
        if latest.completed_at.astimezone(ZoneInfo(timezone)).date() != day:
            continue
        instrument = INSTRUMENTS[key]
        if rose_a_band(instrument, scores[-2].band, latest.band):
            rises.append(f"{instrument.name} up to {latest.band} (was {scores[-2].band})")
    return rises


def decode_answers(text: str) -> list[int]:
    return [int(a) for a in text.split(",") if a != ""]


def encode_answers(answers: Sequence[int]) -> str:
    return ",".join(str(a) for a in answers)
