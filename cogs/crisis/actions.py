"""What the alert's and the support DM's buttons do (`views.py` hands the click here):
facilitators move an alert on (acknowledge, reached out, close, false alarm), the person says
they are safe or asks to talk. `/crisis ack` moves an alert the same way."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.errors import NotAuthorized, UserError
from bot.interactions import send_private
from cogs.cohorts.api import OUTSIDE_REACH, reach_of, reaches_person
from cogs.crisis import messages
from cogs.crisis.delivery import Delivery
from cogs.crisis.escalation import Escalation
from cogs.crisis.store import Alert, CrisisStore
from cogs.support.api import current_shift, open_talk_modal

if TYPE_CHECKING:
    from bot.client import LanternBot

# The logger these lines always had (they were the cog's): operators filter on it.
log = logging.getLogger("cogs.crisis.cog")

STATUS_BY_ACTION = {
    "ack": "acknowledged",
    "reached": "reached_out",
    "close": "closed",
    "false": "false_alarm",
}


class AlertActions:
    def __init__(
        self, bot: LanternBot, store: CrisisStore, escalation: Escalation, delivery: Delivery
    ) -> None:
        self.bot = bot
        self.store = store
        self.escalation = escalation
        self.delivery = delivery

    async def alert_action(
        self, interaction: discord.Interaction, action: str, alert_id: int
    ) -> None:
        """A facilitator pressed a button on an alert (in the staff channel, or in their DMs
        when the alert had to fall back there)."""
        alert = await self.store.get(alert_id)
        guild = self.bot.get_guild(alert.guild_id) if alert else None
        if interaction.guild is not None and (
            alert is None or alert.guild_id != interaction.guild.id
        ):
            raise UserError("That alert no longer exists.")
        if alert is None or guild is None:
            raise UserError("That alert no longer exists.")
        await self._require_alert_staff(interaction, guild, alert)
        await interaction.response.defer()
        updated, line = await self.move(alert, STATUS_BY_ACTION[action], interaction.user)
        await interaction.edit_original_response(
            embed=messages.alert_embed(
                updated, author=self.delivery.author(guild, updated), status_line=line
            ),
            view=await self.delivery.alert_view(updated),
        )

    async def _require_alert_staff(
        self, interaction: discord.Interaction, guild: discord.Guild, alert: Alert
    ) -> None:
        """Program staff, or the care team of a cohort the person is (or was) in."""
        config = await self.bot.guild_configs.get(guild.id)
        member = guild.get_member(interaction.user.id)
        if member is None:
            raise NotAuthorized("Only facilitators can act on alerts.")
        reach = await reach_of(self.bot.db, member, config)
        if not reach.any:
            raise NotAuthorized("Only facilitators can act on alerts.")
        if not await reaches_person(self.bot.db, reach, guild.id, alert.user_id):
            raise NotAuthorized(OUTSIDE_REACH)  # another cohort's care team

    async def move(self, alert: Alert, status: str, who: discord.abc.User) -> tuple[Alert, str]:
        """Acknowledge, mark reached out, close or call a false alarm; repeats stop."""
        if alert.status in ("closed", "false_alarm"):
            raise UserError(f"This alert is already {messages.STATUS_TEXT[alert.status].lower()}.")
        now = self.bot.clock.now()
        updated = await self.store.set_status(alert.id, status, who.id, now)
        self.escalation.cancel_repeats(alert.id)
        if status == "false_alarm":
            await self.store.add_feedback(alert, "none", who.id, now)
        elif status == "reached_out":
            await self.store.add_feedback(alert, alert.level, who.id, now)
        log.info("alert updated", extra={"alert_id": alert.id, "status": status})
        line = f"{messages.STATUS_TEXT[status]} by {who.mention} {messages.timestamp(now)}"
        return updated or alert, line

    async def person_action(
        self, interaction: discord.Interaction, action: str, alert_id: int
    ) -> None:
        alert = await self.store.get(alert_id)
        if alert is None or alert.user_id != interaction.user.id:
            raise UserError("This message was meant for someone else.")
        now = self.bot.clock.now()
        opened_talk = False
        if action == "talk":
            # Support: answer with the /talk modal at once, so the person can write now.
            try:
                await open_talk_modal(
                    interaction, alert.guild_id, origin="crisis", alert_id=alert.id
                )
                opened_talk = True
            except UserError:
                pass  # conversations unavailable: facilitators are still asked to reach out
        if action == "safe":
            reply = (
                "Thank you for letting me know. I'm glad you're safe right now. If that "
                "changes, the lines above are there any time, and so is `/help-now`."
            )
            note = f"<@{alert.user_id}> pressed **I'm safe right now** {messages.timestamp(now)}."
        else:
            config = await self.bot.guild_configs.get(alert.guild_id)
            zone = config.timezone if config else None
            reply = messages.alerted_reply(await current_shift(self.bot, alert.guild_id, zone))
            note = (
                f"<@{alert.user_id}> asked to **talk to a facilitator** {messages.timestamp(now)}."
            )
        event = "person_safe" if action == "safe" else "person_wants_talk"
        async with self.bot.db.transaction():
            await self.store.note(alert.id, event, interaction.user.id, now)
            await self.escalation.note(
                alert, note, ping=action == "talk", key=f"crisis_note:{alert.id}:{event}:{now}"
            )
        if not opened_talk:
            await send_private(interaction, reply)
