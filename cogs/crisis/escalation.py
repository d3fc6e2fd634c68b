"""The escalation pipeline: from a flagged message to people who can help, losing nothing.

`screen()` decides (classify, group with the person's recent alert) and records the alert
together with everything that must be delivered about it (outbox rows) in one transaction,
before any Discord call. The outbox then delivers, retrying as Discord requires; the
handlers below are idempotent (a retry after a crash finds what already went out):

- `crisis_alert`: the alert with its buttons, to the escalation channel; if Lantern cannot
  post there, the moderation log, then a DM to every facilitator, then the server owner.
  Each alert records where it landed. A deleted alert message is re-posted (`repost_of`).
- `crisis_support`: the private message to the person (DM; a short reply in the channel if
  their DMs are closed).
- `crisis_follow_up`, `crisis_note`: later messages and the person's answers, in the
  alert's thread (or wherever the alert can still be reached).
- `crisis_realert`: "still waiting", with the alert's buttons, every N minutes until a
  human acknowledges it; the repeat is claimed and enqueued in one transaction.
- `crisis_staff_notice`: the escalation channel became unusable: the owner and the log
  channel are told at once, not at the next alert.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord

from bot.interactions import NO_PINGS
from bot.outbox import SAFETY, Item, Landed, NotYet, Undeliverable, is_permanent
from bot.pages import fit_beside
from bot.staff import staff_channel
from bot.storage.guilds import GuildConfig
from bot.timers import RepeatTimer
from bot.tree import new_incident_id
from cogs.crisis import grouping, messages
from cogs.crisis.detector import Verdict
from cogs.crisis.detector import classify as detect
from cogs.crisis.grouping import GROUP_WINDOW, stronger
from cogs.crisis.store import Alert, CrisisStore
from cogs.crisis.views import alert_view, person_view
from cogs.support.api import coping_buttons, current_shift, plan_embed, plan_is_shared

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)

OUTREACH_EVERY = timedelta(minutes=30)
JOB_NAME = "crisis:realert"  # jobs crisis:realert:<alert id>
CHUNK_TIMEOUT = 10.0

ALERT, SUPPORT, FOLLOW_UP, NOTE, REALERT, STAFF_NOTICE = (
    "crisis_alert",
    "crisis_support",
    "crisis_follow_up",
    "crisis_note",
    "crisis_realert",
    "crisis_staff_notice",
)
POSTING = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)


def _message_key(message: discord.Message) -> str:
    edited = message.edited_at
    return f"{message.id}:{edited.timestamp()}" if edited else str(message.id)


@dataclass(frozen=True)
class Target:
    where: str
    """"escalation", "log", "dm" (a facilitator) or "owner"."""
    channel: discord.abc.Messageable


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
    def __init__(self, bot: LanternBot, store: CrisisStore) -> None:
        self.bot = bot
        self.store = store
        self._told_broken: dict[int, str | None] = {}
        self.repeats = RepeatTimer(bot.scheduler, bot.clock, JOB_NAME, self.realert)

    def register(self) -> None:
        for kind, handler in (
            (ALERT, self.deliver_alert),
            (SUPPORT, self.deliver_support),
            (FOLLOW_UP, self.deliver_follow_up),
            (NOTE, self.deliver_note),
            (REALERT, self.deliver_realert),
            (STAFF_NOTICE, self.deliver_staff_notice),
        ):
            self.bot.outbox.register(kind, handler, SAFETY)

    def unregister(self) -> None:
        for kind in (ALERT, SUPPORT, FOLLOW_UP, NOTE, REALERT, STAFF_NOTICE):
            self.bot.outbox.unregister(kind)
        self.repeats.stop()

    async def rebuild(self) -> None:
        """At start-up: one re-alert job per alert still waiting for a human."""
        self.repeats.rebuild(
            (alert.id, alert.next_realert_at)
            for alert in await self.store.due_realerts()
            if alert.next_realert_at is not None
        )

    # --- deciding ---------------------------------------------------------------------

    async def screen(
        self,
        member: discord.Member,
        text: str,
        *,
        source: str,
        jump_url: str | None = None,
        force_level: str | None = None,
        reason: str | None = None,
        message: discord.Message | None = None,
        sent_offline_at: datetime | None = None,
        mark: dict[int, tuple[int | None, int | None, int]] | None = None,
        context: Sequence[str] = (),
    ) -> Verdict | None:
        """Classify `text` from `member` (with `context`, their previous few messages) and,
        if it needs a human, record the alert and what must be delivered. Returns before
        anything is sent: the outbox delivers. `reason` is why a caller forced the level
        (shown to facilitators as "Why"): never the person's own words."""
        config = await self.bot.guild_configs.get(member.guild.id)
        if config is None or not config.is_complete:
            return None
        if len(text) + sum(map(len, context)) > 1000:  # milliseconds: keep the loop free
            verdict = await asyncio.to_thread(detect, text, context)
        else:
            verdict = detect(text, context)
        level = stronger(verdict.level, force_level)
        if level == "none":
            return verdict
        log.info(
            "crisis pipeline fired",
            extra={"guild_id": member.guild.id, "user_id": member.id, "level": level},
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
        # A DM's link opens nothing for facilitators; the excerpt is what they get.
        url = jump_url or (message.jump_url if message and message.guild else None)
        # Only the model flagged a concern: facilitators get a quiet concern to look at, but
        # nobody is messaged about what may well be a figure of speech. A model crisis (its
        # threshold set for few false alarms) reaches the person like a rules one.
        quiet = (
            force_level is None
            and level == "concern"
            and all(r.category == "model" for r in verdict.reasons)
        )
        now = self.bot.clock.now()
        guild_id = member.guild.id
        async with self.bot.db.transaction():
            if message is not None and not await self.store.first_flag(_message_key(message), now):
                log.info("message already escalated", extra={"message_id": message.id})
                return verdict
            alert, arm = await self._raise_or_group(
                member,
                level,
                verdict.score,
                source,
                text,
                reasons,
                url,
                message,
                now,
                sent_offline_at,
                reason,
                detection(verdict, force_level),
            )
            if not quiet and await self.store.claim_outreach(
                guild_id, member.id, now, OUTREACH_EVERY
            ):
                await self.bot.outbox.enqueue(
                    SUPPORT, alert.id, guild_id=guild_id, key=f"{SUPPORT}:{alert.id}:{now}"
                )
            if mark:  # this message is screened for good: never alerted twice after a crash
                await self.store.save_marks(mark, now)
        if arm is not None:
            self.repeats.arm(alert.id, arm)
        return verdict

    async def _raise_or_group(
        self,
        member: discord.Member,
        level: str,
        score: float,
        source: str,
        text: str,
        reasons: list[dict[str, Any]],
        url: str | None,
        message: discord.Message | None,
        now: datetime,
        sent_offline_at: datetime | None,
        reason: str | None = None,
        found: dict[str, Any] | None = None,
    ) -> tuple[Alert, datetime | None]:
        """Inside the caller's transaction: a new alert, or this message joins the person's
        recent one; returns it and when its re-alert is due (if newly armed)."""
        guild_id = member.guild.id
        current = await self.store.recent_open(guild_id, member.id, now - GROUP_WINDOW)
        decision = grouping.decide(
            level,
            None
            if current is None
            else grouping.OpenAlert(
                current.id, current.level, current.waiting, current.next_realert_at is not None
            ),
        )
        if decision.joins is not None:
            await self.store.grouped(decision.joins, level, max(score, 0.0), now)
            alert = await self._load(decision.joins)
            arm = await self._arm(alert, now) if decision.arm else None
            await self.bot.outbox.enqueue(
                FOLLOW_UP,
                alert.id,
                guild_id=guild_id,
                key=f"{FOLLOW_UP}:{alert.id}:{alert.messages}",
                payload={
                    "text": messages.excerpt(text, 300) if text else "",
                    "url": url,
                    "upgraded": decision.upgraded,
                    "offline_at": sent_offline_at.isoformat() if sent_offline_at else None,
                    "reason": reason,
                },
            )
            return alert, arm
        alert_id = await self.store.create(
            guild_id=guild_id,
            user_id=member.id,
            level=level,
            score=score,
            source=source,
            channel_id=message.channel.id if message else None,
            message_id=message.id if message else None,
            jump_url=url,
            excerpt=messages.excerpt(text) if text else None,
            reasons=reasons,
            now=now,
            sent_offline_at=sent_offline_at,
            detection=found,
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
        minutes = await self.store.realert_minutes(alert.guild_id)
        due = now + timedelta(minutes=minutes)
        await self.store.schedule_realert(alert.id, due)
        return due

    def cancel_repeats(self, alert_id: int) -> None:
        self.repeats.cancel(alert_id)

    async def realert(self, alert_id: int, due: datetime, now: datetime) -> datetime | None:
        """The timer: claim this repeat and enqueue it in one transaction; the next due
        time, or None when a human has answered."""
        alert = await self.store.get(alert_id)
        if alert is None or not alert.waiting:
            return None
        minutes = await self.store.realert_minutes(alert.guild_id)
        next_at = now + timedelta(minutes=minutes)
        async with self.bot.db.transaction():
            count = await self.store.claim_realert(alert_id, due, next_at, now)
            if count is not None:
                await self.bot.outbox.enqueue(
                    REALERT, alert_id, guild_id=alert.guild_id, key=f"{REALERT}:{alert_id}:{count}"
                )
        return next_at if count is not None else None

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

    # --- where staff can be reached -----------------------------------------------------

    async def _targets(self, guild: discord.Guild, config: GuildConfig) -> AsyncIterator[Target]:
        """Escalation channel, moderation log, each facilitator's DMs, the owner's DMs."""
        for kind in ("escalation", "log"):
            channel = staff_channel(guild, config, kind)
            if channel is not None:
                yield Target(kind, channel)
        role = guild.get_role(config.facilitator_role_id or 0)
        if role is not None:
            if not guild.chunked:
                try:
                    await asyncio.wait_for(guild.chunk(), CHUNK_TIMEOUT)
                except (TimeoutError, discord.ClientException):
                    log.warning("could not load the member list", extra={"guild_id": guild.id})
            for member in role.members:
                if not member.bot:
                    yield Target("dm", member)
        owner = guild.owner or await self._fetch_member(guild, guild.owner_id)
        if owner is not None:
            yield Target("owner", owner)

    async def _fetch_member(
        self, guild: discord.Guild, user_id: int | None
    ) -> discord.Member | None:
        if not user_id:
            return None
        try:
            return await guild.fetch_member(user_id)
        except discord.NotFound:
            return None

    async def _send_first(
        self,
        guild: discord.Guild,
        config: GuildConfig,
        item: Item,
        send: Any,
        *,
        first: discord.abc.Messageable | None = None,
    ) -> tuple[Target, discord.Message]:
        """Post with `send(target)` to the first target that takes it; every refusal is
        logged at ERROR with an incident id. DMs go to every facilitator (any one landing
        is enough). Transient errors propagate: the outbox retries the whole item."""

        async def targets() -> AsyncIterator[Target]:
            # Lazily: the member list is only loaded if every channel refuses.
            if first is not None:
                yield Target("alert", first)
            async for target in self._targets(guild, config):
                yield target

        refused = []
        landed: tuple[Target, discord.Message] | None = None
        async for target in targets():
            # Once it landed, stop; except that every facilitator's DMs get it.
            if landed is not None and not (landed[0].where == target.where == "dm"):
                break
            try:
                message = await send(target)
            except discord.HTTPException as error:
                if not is_permanent(error):
                    if landed is not None:
                        continue  # one facilitator reached is enough
                    raise
                incident = new_incident_id()
                log.error(
                    "could not reach staff here; trying the next place (incident %s)",
                    incident,
                    extra={
                        "outbox_id": item.id,
                        "kind": item.kind,
                        "guild_id": guild.id,
                        "where": target.where,
                        "status": error.status,
                        "code": error.code,
                        "incident": incident,
                    },
                )
                refused.append(f"{target.where}:{error.code or error.status}")
                if target.where == "escalation":
                    await self.check_escalation(guild, reason=f"Discord refused: {error.text}")
                continue
            if landed is None:
                landed = (target, message)
        if landed is None:
            raise Undeliverable("no place took it: " + (", ".join(refused) or "none configured"))
        return landed

    # --- deliveries -------------------------------------------------------------------

    async def _context(self, alert: Alert) -> tuple[discord.Guild, GuildConfig]:
        guild = self.bot.get_guild(alert.guild_id)
        config = await self.bot.guild_configs.get(alert.guild_id)
        if guild is None or config is None:
            raise Undeliverable("Lantern is no longer in the alert's server")
        return guild, config

    async def _alert_view(self, alert: Alert) -> discord.ui.View | None:
        """Support: a "View safety plan" button while the person shares their plan."""
        shared = alert.user_id is not None and await plan_is_shared(
            self.bot, alert.guild_id, alert.user_id
        )
        owner = (alert.guild_id, alert.user_id) if shared and alert.user_id else None
        return alert_view(alert.id, alert.status, owner)

    def _author(self, guild: discord.Guild, alert: Alert) -> str:
        member = guild.get_member(alert.user_id or 0)
        return member.display_name if member else f"user {alert.user_id}"

    async def deliver_alert(self, item: Item) -> Landed | None:
        alert = await self.store.get(item.subject_id)
        if alert is None:
            return None
        repost_of = item.payload.get("repost_of")
        if repost_of is not None and alert.alert_message_id != repost_of:
            return None  # already re-posted, or acknowledged and closed meanwhile
        if repost_of is None and alert.alert_message_id is not None:
            landed = Landed(
                alert.landed or "escalation", alert.alert_channel_id, alert.alert_message_id
            )
        else:
            landed = await self._post_alert(item, alert, repost=repost_of is not None)
            alert = await self._load(alert.id)
        if alert.thread_id is None and landed.where in ("escalation", "log"):
            await self._open_thread(alert, landed)
        return landed

    async def _post_alert(self, item: Item, alert: Alert, *, repost: bool) -> Landed:
        guild, config = await self._context(alert)
        role = guild.get_role(config.facilitator_role_id or 0)
        embed = messages.alert_embed(alert, author=self._author(guild, alert))
        view = await self._alert_view(alert)
        intro = ""
        if repost:
            thread = f" Its thread: <#{alert.thread_id}>." if alert.thread_id else ""
            intro = f"♻️ The alert message was deleted; here it is again.{thread} "

        async def send(target: Target) -> discord.Message:
            if target.where in ("escalation", "log"):
                ping = role is not None and alert.level == "crisis"
                return await target.channel.send(
                    content=(intro + (role.mention if ping and role else "")).strip() or None,
                    embed=embed,
                    view=view,
                    allowed_mentions=discord.AllowedMentions(roles=[role])
                    if ping and role
                    else NO_PINGS,
                    nonce=item.nonce(),
                )
            return await target.channel.send(
                content=f"{intro}Lantern could not post this alert in **{guild.name}**'s "
                "escalation channel, so it is sending it to you directly. Please make sure "
                "someone responds, and ask an admin to run `/setup check`.",
                embed=embed,
                view=view,
                allowed_mentions=NO_PINGS,
                nonce=item.nonce(),
            )

        target, posted = await self._send_first(guild, config, item, send)
        await self.store.posted(
            alert.id,
            posted.channel.id,
            posted.id,
            alert.thread_id if repost else None,
            landed=target.where,
        )
        if target.where != "escalation":
            log.error(
                "crisis alert landed in a fallback",
                extra={"alert_id": alert.id, "where": target.where, "guild_id": guild.id},
            )
        if repost and alert.thread_id:
            thread = guild.get_thread(alert.thread_id)
            if thread is not None:
                await thread.send(
                    f"The alert message was deleted; it is re-posted here: {posted.jump_url}",
                    allowed_mentions=NO_PINGS,
                    nonce=item.nonce("r"),
                )
        return Landed(target.where, posted.channel.id, posted.id)

    async def _open_thread(self, alert: Alert, landed: Landed) -> None:
        channel = self.bot.get_channel(landed.channel_id or 0)
        if not isinstance(channel, discord.TextChannel) or landed.message_id is None:
            return
        try:
            thread = await channel.get_partial_message(landed.message_id).create_thread(
                name=f"Alert #{alert.id}", auto_archive_duration=1440
            )
            thread_id = thread.id
        except discord.HTTPException as error:
            if error.code == 160004:  # created before a crash: a thread's id is its message's
                thread_id = landed.message_id
            elif is_permanent(error):
                log.warning(
                    "could not open an alert thread; follow-ups go to the channel",
                    extra={"alert_id": alert.id, "code": error.code},
                )
                return
            else:
                raise
        await self.store.set_thread(alert.id, thread_id)

    async def deliver_support(self, item: Item) -> Landed | None:
        alert = await self.store.get(item.subject_id)
        if alert is None or alert.user_id is None:
            return None
        guild, config = await self._context(alert)
        member = guild.get_member(alert.user_id) or await self._fetch_member(guild, alert.user_id)
        if member is None:
            return None  # they left the server
        region = self.bot.resources.region(config.region)
        local = await self.store.resources(guild.id)
        # Support: the person's own safety plan leads, before the crisis lines.
        plan = await plan_embed(self.bot, guild.id, member.id)
        shift = await current_shift(self.bot, guild.id, config.timezone)
        support = messages.support_embed(region, local, guild.name, shift)
        if plan is not None:  # the lines and resources are never cut: the plan gives way
            plan = fit_beside(plan, [support], "`/safetyplan show` has your whole plan.")
        embeds = [*([plan] if plan else []), support]
        if shift.published and not shift.on_now:  # nobody on shift: lines that answer lead
            embeds.reverse()
        try:
            sent = await member.send(
                embeds=embeds,
                view=person_view(alert.id, coping_buttons(self.bot)),
                nonce=item.nonce(),
            )
            return Landed("dm", sent.channel.id, sent.id)
        except discord.HTTPException as error:
            if not is_permanent(error):
                raise
            log.info(
                "person's DMs are closed; replying in channel",
                extra={"alert_id": alert.id, "code": error.code},
            )
        channel = guild.get_channel_or_thread(alert.channel_id or 0)
        if not isinstance(channel, discord.abc.Messageable) or alert.message_id is None:
            return Landed("nowhere")  # a DM or /help-now: nowhere else private to answer
        sent = await channel.send(
            messages.channel_note(region, shift),
            reference=discord.MessageReference(
                message_id=alert.message_id, channel_id=channel.id, fail_if_not_exists=False
            ),
            allowed_mentions=NO_PINGS,
            nonce=item.nonce(),
        )
        return Landed("channel", channel.id, sent.id)

    async def _deliver_line(
        self,
        item: Item,
        alert: Alert,
        text: str,
        *,
        ping: bool,
        view: discord.ui.View | None,
        in_thread: bool = True,
    ) -> Landed:
        """A line about an alert: in its thread (or its channel), else the fallbacks."""
        guild, config = await self._context(alert)
        role = guild.get_role(config.facilitator_role_id or 0)
        mention = ping and role is not None
        thread = guild.get_thread(alert.thread_id or 0) if in_thread else None
        first = thread or guild.get_channel(alert.alert_channel_id or 0)
        if alert.landed in ("escalation", "log") and not isinstance(
            first, discord.Thread | discord.TextChannel
        ):
            first = None

        async def send(target: Target) -> discord.Message:
            line = text
            if target.where in ("alert", "escalation", "log") and mention and role:
                line = f"{role.mention} {text}"
            return await target.channel.send(
                line[:2000],
                view=view,
                allowed_mentions=discord.AllowedMentions(roles=[role])
                if mention and role and target.where != "dm"
                else NO_PINGS,
                nonce=item.nonce(),
            )

        target, posted = await self._send_first(
            guild,
            config,
            item,
            send,
            first=first if isinstance(first, discord.abc.Messageable) else None,
        )
        return Landed(target.where, posted.channel.id, posted.id)

    async def _wait_for_alert(self, alert: Alert) -> None:
        """Lines about an alert go after it, into its thread once that exists."""
        if alert.alert_message_id is None or (
            alert.thread_id is None and await self.bot.outbox.pending(ALERT, alert.id)
        ):
            raise NotYet(0.5)

    async def deliver_follow_up(self, item: Item) -> Landed | None:
        alert = await self.store.get(item.subject_id)
        if alert is None:
            return None
        await self._wait_for_alert(alert)
        line = f"Another message ({alert.level}): > {item.payload.get('text', '')}"
        if not item.payload.get("text") and item.payload.get("reason"):
            line = f"Flagged again ({alert.level}): {item.payload['reason']}"
        if item.payload.get("offline_at"):
            moment = datetime.fromisoformat(item.payload["offline_at"])
            line += f"\n(sent while Lantern was offline, at {messages.timestamp(moment)})"
        if item.payload.get("url"):
            line += f"\n{item.payload['url']}"
        upgraded = bool(item.payload.get("upgraded"))
        if upgraded:
            line = "now a **crisis**. " + line
        landed = await self._deliver_line(item, alert, line, ping=upgraded, view=None)
        await self.refresh(alert)
        return landed

    async def deliver_note(self, item: Item) -> Landed | None:
        alert = await self.store.get(item.subject_id)
        if alert is None:
            return None
        await self._wait_for_alert(alert)
        text = str(item.payload.get("text", ""))
        return await self._deliver_line(
            item, alert, text, ping=bool(item.payload.get("ping")), view=None
        )

    async def deliver_realert(self, item: Item) -> Landed | None:
        alert = await self.store.get(item.subject_id)
        if alert is None or not alert.waiting:
            return None  # acknowledged meanwhile
        where = (
            f": https://discord.com/channels/{alert.guild_id}/{alert.alert_channel_id}/"
            f"{alert.alert_message_id}"
            if alert.alert_message_id and alert.landed in ("escalation", "log")
            else " with the buttons below"
        )
        text = (
            f"⏰ Crisis alert #{alert.id} for <@{alert.user_id}> is still waiting for someone "
            f"({alert.realerts} reminder{'s' if alert.realerts != 1 else ''}). Please "
            f"acknowledge it{where}."
        )
        return await self._deliver_line(
            item, alert, text, ping=True, view=await self._alert_view(alert), in_thread=False
        )

    async def refresh(self, alert: Alert, status_line: str | None = None) -> None:
        """Redraw the alert message (count, status, buttons); re-post it if it is gone."""
        alert = await self.store.get(alert.id) or alert
        channel = self.bot.get_channel(alert.alert_channel_id or 0)
        if alert.alert_message_id is None or not isinstance(
            channel, discord.TextChannel | discord.DMChannel
        ):
            return
        guild = self.bot.get_guild(alert.guild_id)
        author = self._author(guild, alert) if guild else f"user {alert.user_id}"
        try:
            await channel.get_partial_message(alert.alert_message_id).edit(
                embed=messages.alert_embed(alert, author=author, status_line=status_line),
                view=await self._alert_view(alert),
            )
        except discord.NotFound:
            await self.repost(alert, alert.alert_message_id)
        except discord.HTTPException as exc:
            log.warning(
                "could not update an alert", extra={"alert_id": alert.id, "status": exc.status}
            )

    # --- the escalation channel's health ---------------------------------------------

    def escalation_problem(self, guild: discord.Guild, config: GuildConfig | None) -> str | None:
        """Why Lantern cannot post alerts in the escalation channel, or None if it can."""
        if config is None or not config.is_complete:
            return None
        channel = guild.get_channel(config.escalation_channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            return "the escalation channel was deleted"
        have = channel.permissions_for(guild.me)
        missing = [name for name, value in POSTING if value and not getattr(have, name)]
        if missing:
            return (
                "Lantern is missing "
                + ", ".join(m.replace("_", " ") for m in missing)
                + (f" in #{channel.name}")
            )
        return None

    async def check_escalation(self, guild: discord.Guild, *, reason: str | None = None) -> None:
        """Tell the owner and the log channel as soon as alerts can no longer be posted, and
        keep the verdict where `check-config` can read it without Discord."""
        config = await self.bot.guild_configs.get(guild.id)
        problem = self.escalation_problem(guild, config) or reason
        if self._told_broken.get(guild.id, "") == problem:
            return
        self._told_broken[guild.id] = problem
        await self.bot.app_state.set(
            f"escalation:{guild.id}",
            f"cannot post alerts: {problem}" if problem else "can post alerts",
            self.bot.clock.now(),
        )
        if problem is None:
            return
        now = self.bot.clock.now()
        log.error(
            "the escalation channel is unusable",
            extra={"guild_id": guild.id, "incident": new_incident_id()},
        )
        await self.bot.outbox.enqueue(
            STAFF_NOTICE,
            guild.id,
            guild_id=guild.id,
            key=f"{STAFF_NOTICE}:{guild.id}:{now.isoformat()}",
            payload={"problem": problem},
        )

    async def deliver_staff_notice(self, item: Item) -> Landed | None:
        guild = self.bot.get_guild(item.subject_id)
        config = await self.bot.guild_configs.get(item.subject_id)
        if guild is None or config is None:
            return None
        text = (
            f"⚠️ Lantern can no longer post crisis alerts in **{guild.name}**'s escalation "
            f"channel: {item.payload.get('problem')}. Until this is fixed, alerts go to the "
            "moderation log or to facilitators' DMs. Please fix it, then run `/setup check`."
        )
        landed: Landed | None = None
        log_channel = staff_channel(guild, config, "log")
        if log_channel is not None and log_channel.id != config.escalation_channel_id:
            try:
                sent = await log_channel.send(text, allowed_mentions=NO_PINGS, nonce=item.nonce())
                landed = Landed("log", log_channel.id, sent.id)
            except discord.HTTPException as error:
                if not is_permanent(error):
                    raise
        owner = guild.owner or await self._fetch_member(guild, guild.owner_id)
        if owner is not None:
            try:
                sent = await owner.send(text, allowed_mentions=NO_PINGS, nonce=item.nonce("o"))
                landed = landed or Landed("owner", sent.channel.id, sent.id)
            except discord.HTTPException as error:
                if not is_permanent(error):
                    raise
        if landed is None:
            raise Undeliverable("neither the log channel nor the owner could be told")
        return landed
