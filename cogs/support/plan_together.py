"""Working on a safety plan together, from a private conversation: whoever may handle the
conversation (program staff, or a care team of a cohort the person is or was in) picks a
part, writes a suggestion (starting from the person's words only if they share their plan),
and it is posted in the conversation for the person, who alone chooses "Use this" (the part
is written, through PlanStore) or "Not this one" (nothing changes).

Its controls are in plan_together_views.py, its SQL in plan_proposal_store.py.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.checks import guild_of
from bot.errors import NotAuthorized, UserError
from bot.inputs import has_visible
from bot.interactions import NO_PINGS, send_private
from cogs.cohorts.api import reach_of, require_person_in_reach
from cogs.support.conversation_store import Conversation, ConversationStore
from cogs.support.plan_embeds import person_line
from cogs.support.plan_parts import BY_KEY, PART_LIMIT, PERSON_LIMIT, SafetyPlan, parse_person
from cogs.support.plan_proposal_store import (
    Outcome,
    Proposal,
    ProposalStore,
    part_value,
    people_of,
    people_value,
)
from cogs.support.plan_store import PlanStore
from cogs.support.plan_together_views import (
    AnswerButton,
    PartSelect,
    SuggestionModal,
    TogetherButton,
    answer_view,
    part_select_view,
)

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)

DYNAMIC_ITEMS = (TogetherButton, PartSelect, AnswerButton)

FOR_THE_PERSON = (
    "This button is for your facilitator: they can suggest words for your safety plan here, "
    "and nothing changes unless you choose **Use this**. You can change your plan yourself any "
    "time with `/safetyplan edit`."
)
CLOSED = "This conversation is closed, so there's nothing to work on here any more."
ANSWERS: dict[Outcome, str] = {
    Outcome.ACCEPTED: "✅ Added to your safety plan. See all of it with `/safetyplan show`.",
    Outcome.DECLINED: "Not used: your plan is just as it was.",
    Outcome.CHANGED: (
        "This part of your plan has changed since this was suggested, so I didn't use it: your "
        "plan stays as it is. Your facilitator can suggest it again, or you can change it "
        "yourself with `/safetyplan edit`."
    ),
    Outcome.CLOSED: (
        "This conversation has closed, so this suggestion can't be used any more. Your plan is "
        "just as it was; you can still change it yourself with `/safetyplan edit`."
    ),
}
STATUS_LINE: dict[Outcome, str] = {
    Outcome.ACCEPTED: "✅ <@{user}> added this to their safety plan.",
    Outcome.DECLINED: "<@{user}> chose not to use this one.",
    Outcome.CHANGED: "No longer current: that part of the plan changed after it was suggested.",
    Outcome.CLOSED: "No longer current: the conversation closed before it was used.",
}


async def require_coeditor(
    bot: LanternBot, interaction: discord.Interaction, conversation: Conversation
) -> None:
    """Who may work on a person's plan with them: whoever may handle their conversation,
    program staff or a care team of a cohort the person is (or was) in."""
    if not isinstance(interaction.user, discord.Member):
        raise NotAuthorized("Only facilitators can do this.")
    config = await bot.guild_configs.get(conversation.guild_id)
    reach = await reach_of(bot.db, interaction.user, config)
    if not reach.any:
        raise NotAuthorized("Only facilitators can do this.")
    await require_person_in_reach(bot.db, reach, conversation.guild_id, conversation.user_id)


def suggestion_embed(proposal: Proposal, *, status: Outcome | None = None) -> discord.Embed:
    part = BY_KEY[proposal.part]
    if proposal.part == "people":
        body = "\n".join(person_line(p) for p in people_of(proposal.proposed or ""))
    else:
        body = discord.utils.escape_mentions(proposal.proposed or "")
    embed = discord.Embed(
        title=f"Suggested for your plan: {part.heading}",
        description=body[:4000],  # within the 4,096 of a description
        colour=discord.Colour.teal() if status is None else discord.Colour.dark_grey(),
    )
    embed.set_footer(
        text="Only you can choose. Using it puts these words in place of what this part says "
        "now; you can change them any time with /safetyplan edit."
    )
    return embed


class PlanTogether:
    def __init__(self, bot: LanternBot, plans: PlanStore) -> None:
        self._bot = bot
        self._plans = plans
        self._conversations = ConversationStore(bot.db, bot.cipher)
        self.proposals = ProposalStore(bot.db, plans, bot.cipher)

    async def start_up(self) -> None:
        retired = await self.proposals.retire_closed(self._bot.clock.now())
        if retired:
            log.info("plan suggestions of closed conversations cleared", extra={"count": retired})

    async def _open_conversation(
        self, interaction: discord.Interaction, conversation_id: int
    ) -> Conversation:
        """The conversation, if the clicker may work on its person's plan and it is open."""
        guild = guild_of(interaction)
        conversation = await self._conversations.conversation(conversation_id)
        if conversation is None or conversation.guild_id != guild.id:
            raise UserError("That conversation no longer exists.")
        if interaction.user.id == conversation.user_id:
            raise UserError(FOR_THE_PERSON)
        await require_coeditor(self._bot, interaction, conversation)
        if not conversation.open:
            raise UserError(CLOSED)
        return conversation

    async def _shared(self, conversation: Conversation) -> SafetyPlan | None:
        """The plan as the facilitator may see it: only while the person shares it."""
        plan = await self._plans.plan(conversation.guild_id, conversation.user_id)
        return plan if plan is not None and plan.shared else None

    async def start(self, interaction: discord.Interaction, conversation_id: int) -> None:
        conversation = await self._open_conversation(interaction, conversation_id)
        shared = await self._shared(conversation)
        intro = (
            f"Which part of <@{conversation.user_id}>'s safety plan would you like to work on? "
            "Your suggestion is posted in the conversation, and they choose whether to use it."
        )
        if shared is None:
            intro += (
                "\n\nThey aren't sharing their plan, so each part starts empty: you'll see what "
                "they wrote only once they share it (`/safetyplan share`)."
            )
        await send_private(interaction, intro, view=part_select_view(conversation.id, shared))

    async def picked(
        self, interaction: discord.Interaction, conversation_id: int, part: str
    ) -> None:
        conversation = await self._open_conversation(interaction, conversation_id)
        shared = await self._shared(conversation)
        await interaction.response.send_modal(
            SuggestionModal(conversation.id, BY_KEY[part], shared)
        )

    async def suggested(
        self, interaction: discord.Interaction, conversation_id: int, part: str, values: list[str]
    ) -> None:
        conversation = await self._open_conversation(interaction, conversation_id)
        current = await self._plans.plan(conversation.guild_id, conversation.user_id)
        proposed = self._checked(part, values, part_value(current, part))
        guild = guild_of(interaction)
        space = guild.get_channel_or_thread(conversation.space_id or 0)
        if not isinstance(space, discord.Thread | discord.TextChannel):
            raise UserError("I can't find this conversation on Discord, so nothing was sent.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = self._bot.clock.now()
        # Recorded before it is posted: the person's answer needs it, even after a restart.
        proposal_id = await self.proposals.create(
            guild_id=guild.id,
            user_id=conversation.user_id,
            conversation_id=conversation.id,
            by=interaction.user.id,
            part=part,
            proposed=proposed,
            base=part_value(current, part),
            now=now,
        )
        proposal = await self.proposals.proposal(proposal_id)
        assert proposal is not None  # noqa: S101 (just written)
        try:
            posted = await space.send(
                f"<@{conversation.user_id}>, {interaction.user.display_name} suggests this for "
                "your safety plan. It's your plan: use it only if it feels right.",
                embed=suggestion_embed(proposal),
                view=answer_view(proposal_id),
                allowed_mentions=NO_PINGS,
            )
        except discord.HTTPException as exc:
            await self.proposals.discard(proposal_id)
            log.warning("could not post a plan suggestion", extra={"status": exc.status})
            raise UserError(
                "Discord refused the message, so nothing was sent. Please try again."
            ) from None
        await self.proposals.placed(proposal_id, space.id, posted.id)
        await self._conversations.note(conversation.id, "plan_suggested", interaction.user.id, now)
        log.info(
            "safety plan suggestion posted",
            extra={"conversation_id": conversation.id, "proposal_id": proposal_id, "part": part},
        )
        await send_private(
            interaction,
            f"Posted in the conversation. <@{conversation.user_id}> chooses whether to use it.",
        )

    @staticmethod
    def _checked(part: str, values: list[str], current: str) -> str:
        """The suggestion as stored, within the plan's own limits (the person's form takes
        an older, longer text as it is, so a suggestion may be as long as it)."""
        if part == "people":
            people = [p for p in (parse_person(v) for v in values) if p is not None]
            if not people:
                raise UserError("The suggestion was empty, so nothing was sent.")
            if any(len(v.strip()) > max(PERSON_LIMIT, len(current)) for v in values):
                raise UserError(f"Each person fits in {PERSON_LIMIT} characters.")
            return people_value(people)
        text = values[0].strip() if values else ""
        if not has_visible(text):
            raise UserError("The suggestion was empty, so nothing was sent.")
        if len(text) > max(PART_LIMIT, len(current)):
            raise UserError(f"A part of the plan fits in {PART_LIMIT} characters.")
        return text

    async def answered(self, interaction: discord.Interaction, proposal_id: int, use: bool) -> None:
        proposal = await self.proposals.proposal(proposal_id)
        if proposal is None:
            raise UserError("That suggestion no longer exists.")
        if interaction.user.id != proposal.user_id:
            raise NotAuthorized(
                "Only the person whose safety plan this is can choose whether to use it."
            )
        now = self._bot.clock.now()
        outcome, fresh = await self.proposals.decide(proposal_id, use, now)
        if not fresh:
            stale = outcome in (Outcome.CHANGED, Outcome.CLOSED)
            await send_private(
                interaction, ANSWERS[outcome] if stale else "You've already answered this one."
            )
            return
        await self._conversations.note(
            proposal.conversation_id, f"plan_{outcome.value}", interaction.user.id, now
        )
        log.info(
            "safety plan suggestion answered",
            extra={"proposal_id": proposal_id, "outcome": outcome.value, "part": proposal.part},
        )
        if outcome in (Outcome.CHANGED, Outcome.CLOSED):
            # Say why privately first (a closed conversation's thread may refuse the edit).
            await send_private(interaction, ANSWERS[outcome])
            await self._retire(interaction, proposal, outcome)
            return
        await self._retire(interaction, proposal, outcome)
        await send_private(interaction, ANSWERS[outcome])

    async def _retire(
        self, interaction: discord.Interaction, proposal: Proposal, outcome: Outcome
    ) -> None:
        """Show the answer on the suggestion itself, without its buttons."""
        status = STATUS_LINE[outcome].format(user=proposal.user_id)
        embed = suggestion_embed(proposal, status=outcome)
        try:
            if not interaction.response.is_done():
                await interaction.response.edit_message(
                    content=status, embed=embed, view=None, allowed_mentions=NO_PINGS
                )
            elif interaction.message is not None:
                await interaction.message.edit(
                    content=status, embed=embed, view=None, allowed_mentions=NO_PINGS
                )
        except discord.HTTPException as exc:  # a locked thread: the answer was given anyway
            log.warning("could not update a plan suggestion", extra={"status": exc.status})
