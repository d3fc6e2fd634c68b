"""The escalation pipeline: from a flagged message to people who can help, losing nothing.

`screen()` decides (classify, group with the person's recent alert: `grouping.py`) and
records the alert together with everything that must be delivered about it (outbox rows) in
one transaction, before any Discord call. It decides on ids and dataclasses only; the
Discord side is the outbox's handlers (`delivery.py`, `outreach.py`), which are idempotent
(a retry after a crash finds what already went out):

- `crisis_alert`: the alert with its buttons, to the escalation channel, else the fallbacks
  (`reach.py`). A deleted alert message is re-posted (`repost_of`).
- `crisis_support`: the private message to the person.
- `crisis_follow_up`, `crisis_note`: later messages and the person's answers, in the
  alert's thread (or wherever the alert can still be reached).
- `crisis_realert`: "still waiting", every N minutes until a human acknowledges it; the
  repeat (a `RepeatTimer`) is claimed and enqueued in one transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.timers import RepeatTimer
from cogs.crisis import grouping, messages
from cogs.crisis.cadence import Cadence
from cogs.crisis.detector import Verdict
from cogs.crisis.detector import classify as detect
from cogs.crisis.grouping import GROUP_WINDOW, stronger
from cogs.crisis.marks import Mark, ScreenMarks
from cogs.crisis.store import Alert, CrisisStore

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)

OUTREACH_EVERY = timedelta(minutes=30)
JOB_NAME = "crisis:realert"  # jobs crisis:realert:<alert id>
LONG_TEXT = 1000
"""Characters (with context) above which the detector runs off the event loop."""

ALERT, SUPPORT, FOLLOW_UP, NOTE, REALERT = (
    "crisis_alert",
    "crisis_support",
    "crisis_follow_up",
    "crisis_note",
    "crisis_realert",
)


@dataclass(frozen=True)
class Person:
    guild_id: int
    user_id: int


@dataclass(frozen=True)
class Said:
    """The message being screened, when there is one (not for /help-now, check-ins...)."""

    channel_id: int
    message_id: int
    key: str
    """Its id, and its edit time if edited: each version is screened once."""
    jump_url: str | None
    """None in DMs: the link opens nothing for facilitators."""


@dataclass(frozen=True)
class _Flag:
    """One screening that needs a human, as `_raise_or_group` records it."""

    person: Person
    level: str
    score: float
    source: str
    text: str
    reasons: list[dict[str, Any]]
    url: str | None
    said: Said | None
    sent_offline_at: datetime | None
    reason: str | None
    found: dict[str, Any]


def detection(verdict: Verdict, force_level: str | None) -> dict[str, Any]:
    """What decided an alert, kept with it (no words): the part, rule ids, model scores."""
    rules = [r.rule for r in verdict.reasons if r.category not in ("model", "context")]
    decided = verdict.decided_by
    if force_level is not None and stronger(verdict.level, force_level) != verdict.level:
        decided = "caller"  # a check-in answer, /help-now...: the caller set the level
    found: dict[str, Any] = {"decided_by": decided, "rules": rules}
    if verdict.model is not None:
        found["model"] = {"risky": verdict.model[0], "crisis": verdict.model[1]}
    return found


class Escalation:
    def __init__(
        self, bot: LanternBot, store: CrisisStore, marks: ScreenMarks, cadence: Cadence
    ) -> None:
        self.bot = bot
        self.store = store
        self.marks = marks
        self.cadence = cadence
        self.repeats = RepeatTimer(bot.scheduler, bot.clock, JOB_NAME, self.realert)

    async def rebuild(self) -> None:
        """At start-up (and when shards move here): one re-alert job per alert of this
        process's servers still waiting for a human."""
        self.repeats.rebuild(
            (alert.id, alert.next_realert_at)
            for alert in await self.store.due_realerts()
            if alert.next_realert_at is not None and self.bot.owns_guild(alert.guild_id)
        )

    def stop(self) -> None:
        self.repeats.stop()

    # --- deciding ---------------------------------------------------------------------

    async def screen(
        self,
        person: Person,
        text: str,
        *,
        source: str,
        jump_url: str | None = None,
        force_level: str | None = None,
        reason: str | None = None,
        said: Said | None = None,
        sent_offline_at: datetime | None = None,
        mark: dict[int, Mark] | None = None,
        context: Sequence[str] = (),
    ) -> Verdict | None:
        """Classify `text` from `person` (with `context`, their previous few messages) and,
        if it needs a human, record the alert and what must be delivered. Returns before
        anything is sent: the outbox delivers. `reason` is why a caller forced the level
        (shown to facilitators as "Why"): never the person's own words."""
        config = await self.bot.guild_configs.get(person.guild_id)
        if config is None or not config.is_complete:
            return None
        if len(text) + sum(map(len, context)) > LONG_TEXT:  # milliseconds: keep the loop free
            verdict = await asyncio.to_thread(detect, text, context)
        else:
            verdict = detect(text, context)
        level = stronger(verdict.level, force_level)
        if level == "none":
            return verdict
        log.info(
            "crisis pipeline fired",
            extra={"guild_id": person.guild_id, "user_id": person.user_id, "level": level},
        )
        log.debug("flagged text: %s", text)
        # Reasons are stored without the matched words: those are the person's text, which
        # only lives (encrypted) in the excerpt.
        reasons = [
            {k: v for k, v in r.to_json().items() if k != "text"} for r in verdict.reasons
        ] or [
            {
                "rule": source,
                "label": reason or f"flagged by {source.replace('_', ' ')}",
                "level": level,
            }
        ]
        # Only the model flagged a concern: facilitators get a quiet concern to look at, but
        # nobody is messaged about what may well be a figure of speech. A model crisis (its
        # threshold set for few false alarms) reaches the person like a rules one.
        quiet = (
            force_level is None
            and level == "concern"
            and all(r.category == "model" for r in verdict.reasons)
        )
        flag = _Flag(
            person=person,
            level=level,
            score=verdict.score,
            source=source,
            text=text,
            reasons=reasons,
            url=jump_url or (said.jump_url if said else None),
            said=said,
            sent_offline_at=sent_offline_at,
            reason=reason,
            found=detection(verdict, force_level),
        )
        now = self.bot.clock.now()
        async with self.bot.db.transaction():
            if said is not None and not await self.marks.first_flag(said.key, now):
                log.info("message already escalated", extra={"message_id": said.message_id})
                return verdict
            alert, arm = await self._raise_or_group(flag, now)
            if not quiet and await self.cadence.claim_outreach(
                person.guild_id, person.user_id, now, OUTREACH_EVERY
            ):
                await self.bot.outbox.enqueue(
                    SUPPORT,
                    alert.id,
                    guild_id=person.guild_id,
                    key=f"{SUPPORT}:{alert.id}:{now}",
                )
            if mark:  # this message is screened for good: never alerted twice after a crash
                await self.marks.save(mark, now)
        if arm is not None:
            self.repeats.arm(alert.id, arm)
        return verdict

    async def _raise_or_group(self, flag: _Flag, now: datetime) -> tuple[Alert, datetime | None]:
        """Inside the caller's transaction: a new alert, or this message joins the person's
        recent one; returns it and when its re-alert is due (if newly armed)."""
        guild_id, user_id = flag.person.guild_id, flag.person.user_id
        current = await self.store.recent_open(guild_id, user_id, now - GROUP_WINDOW)
        decision = grouping.decide(
            flag.level,
            None
            if current is None
            else grouping.OpenAlert(
                current.id, current.level, current.waiting, current.next_realert_at is not None
            ),
        )
        if decision.joins is not None:
            await self.store.grouped(decision.joins, flag.level, max(flag.score, 0.0), now)
            alert = await self._load(decision.joins)
            arm = await self._arm(alert, now) if decision.arm else None
            offline = flag.sent_offline_at
            await self.bot.outbox.enqueue(
                FOLLOW_UP,
                alert.id,
                guild_id=guild_id,
                key=f"{FOLLOW_UP}:{alert.id}:{alert.messages}",
                payload={
                    "text": messages.excerpt(flag.text, 300) if flag.text else "",
                    "url": flag.url,
                    "upgraded": decision.upgraded,
                    "offline_at": offline.isoformat() if offline else None,
                    "reason": flag.reason,
                },
            )
            return alert, arm
        alert_id = await self.store.create(
            guild_id=guild_id,
            user_id=user_id,
            level=flag.level,
            score=flag.score,
            source=flag.source,
            channel_id=flag.said.channel_id if flag.said else None,
            message_id=flag.said.message_id if flag.said else None,
            jump_url=flag.url,
            excerpt=messages.excerpt(flag.text) if flag.text else None,
            reasons=flag.reasons,
            now=now,
            sent_offline_at=flag.sent_offline_at,
            detection=flag.found,
        )
        alert = await self._load(alert_id)
        arm = await self._arm(alert, now) if decision.arm else None
        await self.bot.outbox.enqueue(ALERT, alert_id, guild_id=guild_id)
        return alert, arm

    async def _load(self, alert_id: int) -> Alert:
        alert = await self.store.get(alert_id)
        if alert is None:
            raise RuntimeError(f"alert {alert_id} vanished right after being written")
        return alert

    # --- repeats ----------------------------------------------------------------------

    async def _arm(self, alert: Alert, now: datetime) -> datetime:
        minutes = await self.cadence.realert_minutes(alert.guild_id)
        due = now + timedelta(minutes=minutes)
        await self.store.schedule_realert(alert.id, due)
        return due

    def cancel_repeats(self, alert_id: int) -> None:
        self.repeats.cancel(alert_id)

    async def realert(self, alert_id: int, due: datetime, now: datetime) -> datetime | None:
        """The timer: claim this repeat and enqueue it in one transaction; the next due
        time, or None when a human has answered."""
        alert = await self.store.get(alert_id)
        if alert is None or not alert.waiting or not self.bot.owns_guild(alert.guild_id):
            return None  # done, or its server moved to another process (which armed it)
        minutes = await self.cadence.realert_minutes(alert.guild_id)
        next_at = now + timedelta(minutes=minutes)
        async with self.bot.db.transaction():
            count = await self.store.claim_realert(alert_id, due, next_at, now)
            if count is not None:
                await self.bot.outbox.enqueue(
                    REALERT, alert_id, guild_id=alert.guild_id, key=f"{REALERT}:{alert_id}:{count}"
                )
        return next_at if count is not None else None

    # --- later lines ------------------------------------------------------------------

    async def repost(self, alert: Alert, deleted_message_id: int) -> None:
        """The alert message was deleted (or can no longer be edited): post it again."""
        if alert.status in ("closed", "false_alarm"):
            return
        await self.bot.outbox.enqueue(
            ALERT,
            alert.id,
            guild_id=alert.guild_id,
            key=f"{ALERT}:{alert.id}:repost:{deleted_message_id}",
            payload={"repost_of": deleted_message_id},
        )
        log.warning(
            "alert message deleted; re-posting",
            extra={"alert_id": alert.id, "message_id": deleted_message_id},
        )

    async def note(self, alert: Alert, text: str, *, ping: bool, key: str) -> None:
        """A line for the alert's thread (the person pressed a button...)."""
        await self.bot.outbox.enqueue(
            NOTE, alert.id, guild_id=alert.guild_id, key=key, payload={"text": text, "ping": ping}
        )
