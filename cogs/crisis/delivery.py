"""The Discord side of an alert for staff: the outbox's handlers for what `escalation.py`
recorded (the person's message is `outreach.py`'s).

Each is idempotent (a retry after a crash finds what already went out) and sends with the
item's nonce:
- `crisis_alert`: the alert with its buttons, to the first place that takes it (`reach.py`);
  it records where it landed and opens its thread. A deleted alert is re-posted.
- `crisis_follow_up`, `crisis_note`: lines in the alert's thread, once the alert is there.
- `crisis_realert`: "still waiting", with the alert's buttons.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from bot.interactions import NO_PINGS
from bot.outbox import SAFETY, Item, Landed, NotYet, is_permanent
from bot.storage.guilds import GuildConfig
from cogs.crisis import messages
from cogs.crisis.escalation import ALERT, FOLLOW_UP, NOTE, REALERT, Escalation
from cogs.crisis.health import EscalationHealth
from cogs.crisis.reach import Target, alert_context, send_first
from cogs.crisis.repeats import RepeatDelivery
from cogs.crisis.store import Alert, CrisisStore
from cogs.crisis.team_routing import team_channel, team_ping
from cogs.crisis.views import alert_view
from cogs.support.api import plan_is_shared

if TYPE_CHECKING:
    from bot.client import LanternBot

# The logger these lines always had (before the split): operators filter on it.
log = logging.getLogger("cogs.crisis.escalation")

THREAD_EXISTS = 160004
"""Discord's code when the message already has a thread (created before a crash)."""


class Delivery:
    def __init__(
        self,
        bot: LanternBot,
        store: CrisisStore,
        escalation: Escalation,
        health: EscalationHealth,
    ) -> None:
        self.bot = bot
        self.store = store
        self.escalation = escalation
        self.health = health
        self.repeats = RepeatDelivery(self)

    def register(self) -> None:
        for kind, handler in (
            (ALERT, self.deliver_alert),
            (FOLLOW_UP, self.deliver_follow_up),
            (NOTE, self.deliver_note),
            (REALERT, self.repeats.deliver),
        ):
            self.bot.outbox.register(kind, handler, SAFETY)

    def unregister(self) -> None:
        for kind in (ALERT, FOLLOW_UP, NOTE, REALERT):
            self.bot.outbox.unregister(kind)

    # --- what every handler needs ----------------------------------------------------

    async def context(self, alert: Alert) -> tuple[discord.Guild, GuildConfig]:
        return await alert_context(self.bot, alert)

    async def _load(self, alert_id: int) -> Alert:
        alert = await self.store.get(alert_id)
        if alert is None:
            raise RuntimeError(f"alert {alert_id} vanished right after being written")
        return alert

    async def alert_view(self, alert: Alert) -> discord.ui.View | None:
        """Its buttons; support: a "View safety plan" button while the person shares it."""
        shared = alert.user_id is not None and await plan_is_shared(
            self.bot, alert.guild_id, alert.user_id
        )
        owner = (alert.guild_id, alert.user_id) if shared and alert.user_id else None
        return alert_view(alert.id, alert.status, owner)

    @staticmethod
    def author(guild: discord.Guild, alert: Alert) -> str:
        member = guild.get_member(alert.user_id or 0)
        return member.display_name if member else f"user {alert.user_id}"

    # --- the alert -------------------------------------------------------------------

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
        if alert.thread_id is None and landed.where in ("escalation", "log", "team"):
            await self._open_thread(alert, landed)
        return landed

    async def _post_alert(self, item: Item, alert: Alert, *, repost: bool) -> Landed:
        guild, config = await self.context(alert)
        role = guild.get_role(config.facilitator_role_id or 0)
        embed = messages.alert_embed(alert, author=self.author(guild, alert))
        view = await self.alert_view(alert)
        intro = ""
        if repost:
            thread = f" Its thread: <#{alert.thread_id}>." if alert.thread_id else ""
            intro = f"♻️ The alert message was deleted; here it is again.{thread} "

        team = await team_channel(self.bot, guild, alert)

        async def send(target: Target) -> discord.Message:
            if target.where == "team" and team is not None:
                mentions, allowed = team_ping(guild, team[0])
                ping = alert.level == "crisis"
                return await target.channel.send(
                    content=(intro + (mentions if ping else "")).strip() or None,
                    embed=embed,
                    view=view,
                    allowed_mentions=allowed if ping else NO_PINGS,
                    nonce=item.nonce(),
                )
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

        target, posted = await send_first(
            guild,
            config,
            item,
            send,
            self.health.refused,
            first=team[1] if team else None,
            first_where="team",
        )
        await self.store.posted(
            alert.id,
            posted.channel.id,
            posted.id,
            alert.thread_id if repost else None,
            landed=target.where,
        )
        if target.where not in ("escalation", "team"):
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
            if error.code == THREAD_EXISTS:  # a thread's id is its message's
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

    async def refresh(self, alert: Alert, status_line: str | None = None) -> None:
        """Redraw the alert message (count, status, buttons); re-post it if it is gone."""
        alert = await self.store.get(alert.id) or alert
        channel = self.bot.get_channel(alert.alert_channel_id or 0)
        if alert.alert_message_id is None or not isinstance(
            channel, discord.TextChannel | discord.DMChannel
        ):
            return
        guild = self.bot.get_guild(alert.guild_id)
        author = self.author(guild, alert) if guild else f"user {alert.user_id}"
        try:
            await channel.get_partial_message(alert.alert_message_id).edit(
                embed=messages.alert_embed(alert, author=author, status_line=status_line),
                view=await self.alert_view(alert),
            )
        except discord.NotFound:
            await self.escalation.repost(alert, alert.alert_message_id)
        except discord.HTTPException as exc:
            log.warning(
                "could not update an alert", extra={"alert_id": alert.id, "status": exc.status}
            )

    # --- lines about an alert --------------------------------------------------------

    async def deliver_line(
        self,
        item: Item,
        alert: Alert,
        text: str,
        *,
        ping: bool,
        view: discord.ui.View | None,
        in_thread: bool = True,
        to_staff: bool = False,
        embed: discord.Embed | None = None,
    ) -> Landed:
        """A line about an alert: in its thread (or its channel), else the fallbacks. With
        `to_staff`, to program staff's places instead (an escalated team alert). A ping goes
        to whoever the alert is with: the care team in its channel, else the facilitator
        role."""
        guild, config = await self.context(alert)
        role = guild.get_role(config.facilitator_role_id or 0)
        first: object = None
        if not to_staff:
            thread = guild.get_thread(alert.thread_id or 0) if in_thread else None
            first = thread or guild.get_channel(alert.alert_channel_id or 0)
            if alert.landed in ("escalation", "log", "team") and not isinstance(
                first, discord.Thread | discord.TextChannel
            ):
                first = None
        team = (
            await team_channel(self.bot, guild, alert)
            if alert.landed == "team" and not to_staff
            else None
        )

        async def send(target: Target) -> discord.Message:
            mentions, allowed = "", NO_PINGS
            if ping and target.where == "alert" and team is not None:
                mentions, allowed = team_ping(guild, team[0])
            elif ping and role is not None and target.where in ("alert", "escalation", "log"):
                mentions, allowed = role.mention, discord.AllowedMentions(roles=[role])
            line = f"{mentions} {text}" if mentions else text
            return await target.channel.send(
                line[:2000],
                embed=embed,
                view=view,
                allowed_mentions=allowed,
                nonce=item.nonce(),
            )

        target, posted = await send_first(
            guild,
            config,
            item,
            send,
            self.health.refused,
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
        landed = await self.deliver_line(item, alert, line, ping=upgraded, view=None)
        await self.refresh(alert)
        return landed

    async def deliver_note(self, item: Item) -> Landed | None:
        alert = await self.store.get(item.subject_id)
        if alert is None:
            return None
        await self._wait_for_alert(alert)
        text = str(item.payload.get("text", ""))
        return await self.deliver_line(
            item, alert, text, ping=bool(item.payload.get("ping")), view=None
        )
