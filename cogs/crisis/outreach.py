"""The private message to the person an alert is about (`crisis_support`): their safety plan
if they have one, the crisis lines and the server's local resources, who is on shift, and
buttons to say they are safe or to ask for a facilitator. By DM; a short reply under their
message if their DMs are closed. Idempotent like every outbox handler (the item's nonce)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.interactions import NO_PINGS
from bot.outbox import SAFETY, Item, Landed, is_permanent
from bot.pages import fit_beside
from cogs.crisis import messages
from cogs.crisis.escalation import SUPPORT
from cogs.crisis.reach import alert_context, fetch_member
from cogs.crisis.store import CrisisStore
from cogs.crisis.views import person_view
from cogs.support.api import coping_buttons, current_shift, plan_embed

if TYPE_CHECKING:
    from bot.client import LanternBot

# The logger these lines always had (before the split): operators filter on it.
log = logging.getLogger("cogs.crisis.escalation")


class SupportMessage:
    def __init__(self, bot: LanternBot, store: CrisisStore) -> None:
        self.bot = bot
        self.store = store

    def register(self) -> None:
        self.bot.outbox.register(SUPPORT, self.deliver_support, SAFETY)

    def unregister(self) -> None:
        self.bot.outbox.unregister(SUPPORT)

    async def deliver_support(self, item: Item) -> Landed | None:
        alert = await self.store.get(item.subject_id)
        if alert is None or alert.user_id is None:
            return None
        guild, config = await alert_context(self.bot, alert)
        member = guild.get_member(alert.user_id) or await fetch_member(guild, alert.user_id)
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
