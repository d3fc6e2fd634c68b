"""`crisis_realert`: "still waiting" about an unacknowledged alert, with its buttons, in the
alert's channel; for an alert with a cohort's care team that has waited `escalate_after`,
the alert itself to program staff instead (escalation.py keeps the repeats' timer and claims;
this is the Discord side)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.outbox import Item, Landed
from cogs.crisis import messages
from cogs.crisis.store import Alert
from cogs.crisis.team_routing import escalation_text, team_channel

if TYPE_CHECKING:
    from cogs.crisis.delivery import Delivery

# The logger these lines always had (before the split): operators filter on it.
log = logging.getLogger("cogs.crisis.escalation")


class RepeatDelivery:
    def __init__(self, delivery: Delivery) -> None:
        self.delivery = delivery

    async def deliver(self, item: Item) -> Landed | None:
        alert = await self.delivery.store.get(item.subject_id)
        if alert is None or not alert.waiting:
            return None  # acknowledged meanwhile
        waited = self.delivery.bot.clock.now() - alert.created_at
        if (
            alert.landed == "team"
            and waited >= await self.delivery.escalation.cadence.escalate_after(alert.guild_id)
        ):
            return await self._escalate(item, alert, waited)
        where = (
            f": https://discord.com/channels/{alert.guild_id}/{alert.alert_channel_id}/"
            f"{alert.alert_message_id}"
            if alert.alert_message_id and alert.landed in ("escalation", "log", "team")
            else " with the buttons below"
        )
        text = (
            f"⏰ Crisis alert #{alert.id} for <@{alert.user_id}> is still waiting for someone "
            f"({alert.realerts} reminder{'s' if alert.realerts != 1 else ''}). Please "
            f"acknowledge it{where}."
        )
        return await self.delivery.deliver_line(
            item,
            alert,
            text,
            ping=True,
            view=await self.delivery.alert_view(alert),
            in_thread=False,
        )

    async def _escalate(self, item: Item, alert: Alert, waited: timedelta) -> Landed:
        """Nobody on the care team acknowledged in time: program staff get the alert itself
        (they may not see the team's channel), pinged, with its buttons."""
        guild, _ = await self.delivery.context(alert)
        text = escalation_text(alert, waited, await team_channel(self.delivery.bot, guild, alert))
        log.warning(
            "crisis alert escalated to program staff",
            extra={
                "alert_id": alert.id,
                "guild_id": alert.guild_id,
                "waited_s": int(waited.total_seconds()),
            },
        )
        embed = messages.alert_embed(alert, author=self.delivery.author(guild, alert))
        return await self.delivery.deliver_line(
            item,
            alert,
            text,
            ping=True,
            view=await self.delivery.alert_view(alert),
            to_staff=True,
            embed=embed,
        )
