"""Weekly PHQ-9 and GAD-7 (when a facilitator turns them on for a cohort).

One validated item at a time with the instrument's own 0-3 answer scale; each tap is saved,
so a questionnaire survives a restart half-way through. A positive answer to PHQ-9 item 9
goes to the crisis escalation at once, whatever else is answered.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import discord
from discord.utils import format_dt

from bot.buttons import PersistentButton
from bot.errors import UserError
from bot.interactions import send_private
from cogs.checkins import logic
from cogs.checkins.membership import standing
from cogs.checkins.models import Assessment
from cogs.checkins.record_store import RecordStore
from cogs.checkins.screening import screen_with_crisis
from cogs.checkins.views import COLOUR, PREFIX, checkins
from cogs.cohorts.api import Membership

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)

_SLACK = timedelta(hours=12)


def self_harm_reason(value: int) -> str:
    """Why the alert fired, for facilitators: the item and the answer chosen (a fixed label,
    never anything the person typed)."""
    answer = logic.SCALE[value]
    return f"PHQ-9 item 9 (thoughts of being better off dead or of self-harm): '{answer}'"


def question_embed(instrument: logic.Instrument, item: int) -> discord.Embed:
    embed = discord.Embed(
        title=f"{instrument.name} · question {item + 1} of {len(instrument.items)}",
        description=f"{instrument.stem}\n\n**{instrument.items[item]}**",
        colour=COLOUR,
    )
    embed.set_footer(text="Private to you and your facilitators. It saves as you go.")
    return embed


def question_view(assessment_id: int, item: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for value, label in enumerate(logic.SCALE):
        view.add_item(AssessmentButton(assessment_id, item, value, label=label))
    return view


class AssessmentButton(
    PersistentButton,
    template=PREFIX + r":assess:(?P<assessment_id>[0-9]+):(?P<item>[0-9]+):(?P<value>[0-3])",
):
    def __init__(self, assessment_id: int, item: int, value: int, *, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=label or logic.SCALE[value],
                style=discord.ButtonStyle.secondary,
                custom_id=f"{PREFIX}:assess:{assessment_id}:{item}:{value}",
            )
        )
        # `item` is DynamicItem's wrapped button: keep the question number elsewhere.
        self.assessment_id, self.question, self.value = assessment_id, item, value

    async def run(self, interaction: discord.Interaction) -> None:
        cog = checkins(interaction.client)
        await cog.assessments.on_answer(interaction, self.assessment_id, self.question, self.value)


class NextButton(
    PersistentButton,
    template=PREFIX + r":assessnext:(?P<guild_id>[0-9]+)",
):
    def __init__(self, guild_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Next questions",
                style=discord.ButtonStyle.primary,
                custom_id=f"{PREFIX}:assessnext:{guild_id}",
            )
        )
        self.guild_id = guild_id

    async def run(self, interaction: discord.Interaction) -> None:
        await checkins(interaction.client).assessments.start(interaction, self.guild_id)


class AssessmentService:
    def __init__(self, bot: LanternBot, records: RecordStore, cohorts: Membership) -> None:
        self.bot, self.records, self.cohorts = bot, records, cohorts
        # Which cohorts use the questionnaires, kept in memory: every prompt asks.
        self.enabled_cohorts: set[int] = set()

    async def load(self) -> None:
        self.enabled_cohorts = await self.records.cohorts_with_assessments()

    async def set_enabled(self, cohort_id: int, enabled: bool, by: int) -> None:
        await self.records.set_assessments(cohort_id, enabled, by, self.bot.clock.now())
        (self.enabled_cohorts.add if enabled else self.enabled_cohorts.discard)(cohort_id)

    async def due(self, guild_id: int, user_id: int) -> str | None:
        """The first instrument due this week for someone whose cohort has them on."""
        if not self.enabled_cohorts:
            return None
        where = await standing(self.cohorts, guild_id, user_id)
        if where.status != "active" or where.cohort_id not in self.enabled_cohorts:
            return None
        now = self.bot.clock.now()
        for key in logic.INSTRUMENTS:
            done = await self.records.completed_assessments(guild_id, user_id, key)
            last = done[-1].completed_at if done else None
            # A little slack so the same weekday's prompt offers it each week.
            if last is None or now - last >= logic.ASSESSMENT_EVERY - _SLACK:
                return key
        return None

    async def start(
        self, interaction: discord.Interaction, guild_id: int, instrument: str | None = None
    ) -> None:
        where = await standing(self.cohorts, guild_id, interaction.user.id)
        if where.status != "active" or where.cohort_id is None:
            raise UserError("The weekly questions are for people in a cohort.")
        if where.cohort_id not in self.enabled_cohorts:
            raise UserError("Your cohort doesn't use the weekly questions.")
        key = instrument or await self.due(guild_id, interaction.user.id)
        if key is None:
            await send_private(interaction, "You're all caught up on this week's questions. 💛")
            return
        chosen = logic.INSTRUMENTS[key]
        assessment_id = await self.records.start_assessment(
            guild_id, interaction.user.id, where.cohort_id, key, self.bot.clock.now()
        )
        log.info("assessment started", extra={"assessment_id": assessment_id})
        await send_private(
            interaction, embed=question_embed(chosen, 0), view=question_view(assessment_id, 0)
        )

    async def on_answer(
        self, interaction: discord.Interaction, assessment_id: int, item: int, value: int
    ) -> None:
        assessment = await self.records.assessment(assessment_id)
        if assessment is None or assessment.user_id != interaction.user.id:
            raise UserError("These questions belong to someone else.")
        instrument = logic.INSTRUMENTS[assessment.instrument]
        if item >= len(instrument.items):
            raise UserError("That question doesn't exist.")
        saved = await self.records.answer_item(assessment_id, item, value)
        if saved is None:
            raise UserError("You've already answered that one; carry on with the latest question.")
        answers = logic.decode_answers(saved)
        prefix = ""
        if logic.self_harm_flag(instrument, item, value):
            prefix = await self._self_harm(assessment, value)
        if len(answers) < len(instrument.items):
            await interaction.response.edit_message(
                content=prefix or None,
                embed=question_embed(instrument, len(answers)),
                view=question_view(assessment_id, len(answers)),
            )
            return
        total = logic.score(instrument, answers)
        band = logic.band(instrument, total)
        await self.records.complete_assessment(assessment_id, total, band, self.bot.clock.now())
        log.info("assessment completed", extra={"assessment_id": assessment_id})
        text = (
            f"Thank you for answering. Your {instrument.name} score is **{total}** ({band}). "
            "It's a snapshot of the last two weeks, not a diagnosis; your facilitator can go "
            "through it with you."
        )
        view = None
        if await self.due(assessment.guild_id, assessment.user_id):
            view = discord.ui.View(timeout=None)
            view.add_item(NextButton(assessment.guild_id))
        await interaction.response.edit_message(
            content=(prefix + "\n\n" + text).strip(), embed=None, view=view
        )

    async def _self_harm(self, assessment: Assessment, value: int) -> str:
        """Always escalates; the person is told kindly, with where to find help now."""
        from cogs.support.api import current_shift

        log.info("phq-9 item 9 positive: escalating", extra={"assessment_id": assessment.id})
        await screen_with_crisis(
            self.bot,
            assessment.guild_id,
            assessment.user_id,
            "",
            "crisis",
            reason=self_harm_reason(value),
        )
        config = await self.bot.guild_configs.get(assessment.guild_id)
        region = self.bot.resources.region(config.region if config else None)
        first = region.resources[0]
        reach = first.call or first.text or first.chat or ""
        shift = await current_shift(
            self.bot, assessment.guild_id, config.timezone if config else None
        )
        if shift.on_now:
            who = "a facilitator on shift has been let know and will reach out to you."
        elif shift.next_at is not None:
            who = (
                "your facilitators have been let know, but nobody is on shift right now; "
                "they will see it when the next shift starts "
                f"({format_dt(shift.next_at, 'R')})."
            )
        else:
            who = "your facilitators have been let know and will see it when next online."
        return (
            f"Thank you for telling me. If you might act on these thoughts, call "
            f"{region.emergency} now, or contact {first.name} ({reach}) any time. You don't "
            f"have to carry that alone: {who}"
        )
