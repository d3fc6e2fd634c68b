"""Answering a check-in prompt (a scheduled one or `/checkin now`): each tap saves one
answer and redraws the prompt; "Done" saves the day's check-in, shares the summary if the
person chose to, and screens notes and risky answers through crisis support."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.errors import UserError
from bot.interactions import NO_PINGS, send_private
from cogs.checkins import logic, schedule
from cogs.checkins.membership import Standing, not_in_a_cohort, standing
from cogs.checkins.models import Prompt
from cogs.checkins.prompt_store import PromptStore
from cogs.checkins.record_store import RecordStore
from cogs.checkins.screening import screen_with_crisis
from cogs.checkins.views import NoteModal, answers_text, prompt_embed, prompt_view, replace_view
from cogs.cohorts.api import Membership

if TYPE_CHECKING:
    from bot.client import LanternBot
    from cogs.checkins.assess import AssessmentService
    from cogs.checkins.prompts import PromptService

# The logger these records had before the module was split out (log filters use it).
log = logging.getLogger("cogs.checkins.prompts")

HARD_CRAVINGS = 7
LOW_MOOD = 2
OPEN = ("queued", "sent")
"""A prompt the person can answer: "queued" too, as the DM may reach them (and be tapped)
before the send is recorded."""
CLOSED = {
    "answered": "You've already checked in with this one. Thank you! 💛",
    "expired": "This check-in has closed. You can check in any time with `/checkin now` "
    "in the server.",
    "discarded": "You kept your earlier check-in for this day.",
}


class AnswerService:
    def __init__(
        self,
        bot: LanternBot,
        prompts: PromptStore,
        records: RecordStore,
        cohorts: Membership,
        assessments: AssessmentService,
    ) -> None:
        self.bot = bot
        self.prompts = prompts
        self.records = records
        self.cohorts = cohorts
        self.assessments = assessments
        self.snoozer: PromptService | None = None
        """Set by the cog: "Remind me later" re-arms the prompt's reminder."""

    async def _weekly_due(self, prompt: Prompt) -> bool:
        return await self.assessments.due(prompt.guild_id, prompt.user_id) is not None

    # --- /checkin now ----------------------------------------------------------------

    async def start_now(self, interaction: discord.Interaction, timezone: str) -> None:
        guild_id = interaction.guild_id or 0
        user_id = interaction.user.id
        where = await standing(self.cohorts, guild_id, user_id)
        if not where.may_check_in:
            raise UserError(not_in_a_cohort(where))
        now = self.bot.clock.now()
        settings = await self.prompts.settings(guild_id, user_id)
        zone = settings.timezone if settings else timezone
        day = schedule.local_day(now, zone)
        prompt_id = await self.prompts.create_now_prompt(guild_id, user_id, day, now)
        prompt = await self._existing(prompt_id)
        guild = interaction.guild
        await send_private(
            interaction,
            embed=prompt_embed(prompt, guild.name if guild else "Lantern"),
            view=prompt_view(prompt, weekly_due=await self._weekly_due(prompt)),
        )

    # --- answering -------------------------------------------------------------------

    async def _existing(self, prompt_id: int) -> Prompt:
        prompt = await self.prompts.prompt(prompt_id)
        if prompt is None:
            raise UserError("This check-in no longer exists. `/checkin now` starts a new one.")
        return prompt

    async def _own_prompt(self, interaction: discord.Interaction, prompt_id: int) -> Prompt:
        prompt = await self.prompts.prompt(prompt_id)
        if prompt is None or prompt.user_id != interaction.user.id:
            raise UserError("This check-in belongs to someone else.")
        return prompt

    async def _closed(self, interaction: discord.Interaction, prompt: Prompt) -> bool:
        """Answer for a prompt that is no longer open; False if it is open."""
        if prompt.status in OPEN:
            return False
        text = CLOSED.get(prompt.status, CLOSED["expired"])
        await interaction.response.edit_message(content=text, embed=None, view=None)
        return True

    async def _redraw(self, interaction: discord.Interaction, prompt_id: int) -> None:
        prompt = await self._existing(prompt_id)
        guild = self.bot.get_guild(prompt.guild_id)
        await interaction.response.edit_message(
            content=None,
            embed=prompt_embed(prompt, guild.name if guild else "Lantern"),
            view=prompt_view(prompt, weekly_due=await self._weekly_due(prompt)),
        )

    async def on_button(
        self, interaction: discord.Interaction, action: str, prompt_id: int, value: str | None
    ) -> None:
        prompt = await self._own_prompt(interaction, prompt_id)
        if action == "weekly":
            await self.assessments.start(interaction, prompt.guild_id)
            return
        if await self._closed(interaction, prompt):
            return
        if action == "mood":
            if value not in {str(m) for m in logic.MOODS}:
                raise UserError("Pick a mood from 1 to 5.")
            await self.prompts.set_draft(prompt.id, "mood", int(value))
        elif action == "used":
            if value not in logic.USED:
                raise UserError("Pick one of the three answers.")
            await self.prompts.set_draft(prompt.id, "used", value)
        elif action == "share":
            await self.prompts.set_draft(prompt.id, "share", int(not prompt.share))
            if prompt.share:  # turning sharing off also un-ticks the note
                await self.prompts.set_draft(prompt.id, "share_note", 0)
        elif action == "sharenote":
            await self.prompts.set_draft(prompt.id, "share_note", int(not prompt.share_note))
        elif action == "note":
            await interaction.response.send_modal(NoteModal(self, prompt.id, prompt.answers.note))
            return
        elif action == "snooze":
            if value not in schedule.SNOOZES or self.snoozer is None:
                raise UserError("Pick when to be reminded.")
            until = await self.snoozer.snooze(prompt, value)
            await send_private(
                interaction,
                f"Okay, I'll remind you {discord.utils.format_dt(until, 't')} "
                f"({discord.utils.format_dt(until, 'R')}). Your answers so far are kept.",
            )
            return
        elif action == "submit":
            await self._submit(interaction, prompt)
            return
        elif action == "replace":
            await interaction.response.defer()
            await self._save(interaction, prompt, replace=True)
            return
        elif action == "keep":
            await self.prompts.set_status(prompt.id, "discarded")
            await interaction.response.edit_message(
                content="Okay, I kept your earlier check-in for today.", embed=None, view=None
            )
            return
        await self._redraw(interaction, prompt.id)

    async def on_select(
        self, interaction: discord.Interaction, field: str, prompt_id: int, raw: str
    ) -> None:
        prompt = await self._own_prompt(interaction, prompt_id)
        if await self._closed(interaction, prompt):
            return
        allowed = logic.CRAVINGS if field == "cravings" else logic.SLEEP_CHOICES
        if not (raw.isascii() and raw.isdigit() and len(raw) < 4) or int(raw) not in allowed:
            raise UserError("Please pick one of the options in the list.")
        column = "cravings" if field == "cravings" else "sleep_hours"
        await self.prompts.set_draft(prompt.id, column, int(raw))
        await self._redraw(interaction, prompt.id)

    async def on_note(self, interaction: discord.Interaction, prompt_id: int, text: str) -> None:
        prompt = await self._own_prompt(interaction, prompt_id)
        if await self._closed(interaction, prompt):
            return
        note = text.strip()[: logic.MAX_NOTE] or None
        await self.prompts.set_draft(prompt.id, "note", note)
        if note is None:
            await self.prompts.set_draft(prompt.id, "share_note", 0)
        await self._redraw(interaction, prompt.id)

    async def _submit(self, interaction: discord.Interaction, prompt: Prompt) -> None:
        if not prompt.answers.complete_enough:
            raise UserError("Pick a mood first (the 1 to 5 buttons). Everything else is optional.")
        # Saving, sharing and screening can wait on Discord's rate limits: answer first.
        await interaction.response.defer()
        await self._save(interaction, prompt, replace=False)

    async def _save(
        self, interaction: discord.Interaction, prompt: Prompt, *, replace: bool
    ) -> None:
        fresh = await self._existing(prompt.id)
        if fresh.status not in OPEN:
            text = CLOSED.get(fresh.status, CLOSED["expired"])
            await interaction.edit_original_response(content=text, embed=None, view=None)
            return
        where = await standing(self.cohorts, fresh.guild_id, fresh.user_id)
        now = self.bot.clock.now()
        saved = await self.records.submit(
            fresh, cohort_id=where.cohort_id, replace=replace, now=now
        )
        if not replace:
            # Screened as submitted, before any keep/replace question: a worrying note is seen
            # whatever they tap then, or if they never answer ("Replace" doesn't screen again).
            await self._screen(fresh)
        if not saved:
            earlier = await self.records.checkin_on(fresh.guild_id, fresh.user_id, fresh.local_day)
            summary = answers_text(logic.Answers(earlier.mood)) if earlier else ""
            await interaction.edit_original_response(
                content=f"You've already checked in for {fresh.local_day:%A} ({summary}). "
                "Only one check-in a day counts: replace it with this one?",
                view=replace_view(fresh.id),
            )
            return
        log.info("checked in", extra={"prompt_id": fresh.id, "user_id": fresh.user_id})
        shared = await self._share(fresh, where) if fresh.share else None
        if shared is False:
            await self.records.set_shared(fresh.guild_id, fresh.user_id, fresh.local_day, False)
        run = await self.records.streak(fresh.guild_id, fresh.user_id, fresh.local_day)
        text = "Thanks for checking in 💛 " + answers_text(fresh.answers) + "."
        if run > 1:
            text += f"\nThat's {run} days in a row."
        if shared is True:
            text += "\nYour summary is in your cohort's check-ins channel."
        elif shared is False:
            text += "\nI couldn't post your summary to your cohort just now; it's saved here."
        view = None
        a = fresh.answers
        if (a.cravings or 0) >= HARD_CRAVINGS or (a.mood or 5) <= LOW_MOOD:
            # A hard day: offer a coping exercise right here (the support feature's buttons).
            from cogs.support.api import coping_buttons

            view = discord.ui.View(timeout=None)
            for item in coping_buttons(self.bot, ("box", "urge") if a.cravings else ("box",)):
                view.add_item(item)
            text += "\nA rough day? A two-minute exercise can take the edge off:"
        await interaction.edit_original_response(content=text, embed=None, view=view)

    async def _share(self, prompt: Prompt, where: Standing) -> bool:
        """Post the summary the person chose to share (the note only if they ticked it)."""
        cohort = (
            await self.cohorts.get(prompt.guild_id, where.cohort_id) if where.cohort_id else None
        )
        channel = self.bot.get_channel(cohort.checkins_channel_id or 0) if cohort else None
        if not isinstance(channel, discord.TextChannel):
            return False
        text = f"<@{prompt.user_id}> checked in: {answers_text(prompt.answers)}."
        if prompt.share_note and prompt.answers.note:
            quoted = "\n".join(f"> {line}" for line in prompt.answers.note.splitlines())
            text += "\n" + quoted
        try:
            await channel.send(text[:2000], allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            log.warning(
                "check-in summary not shared",
                extra={"prompt_id": prompt.id, "status": exc.status},
            )
            return False
        return True

    async def _screen(self, prompt: Prompt) -> None:
        """Notes and risky answers go through the crisis pipeline (when it is loaded)."""
        level = logic.risk_level(prompt.answers)
        note = prompt.answers.note or ""
        if not note and level is None:
            return
        reason = "daily check-in: reported use with high cravings" if level else None
        await screen_with_crisis(self.bot, prompt.guild_id, prompt.user_id, note, level, reason)
