"""Alumni: `/alumni setup` and graduation congratulations (opt-in); `/milestone` is its own
cog (milestones_cog.py)."""

from __future__ import annotations

import logging
from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import guild_of, require_facilitator
from bot.client import LanternBot
from bot.errors import UserError
from bot.interactions import NO_PINGS, send_private
from bot.outbox import PERSON, Item, Landed
from bot.rollback import Created
from bot.staff import post_log
from cogs.alumni.aftercare import Aftercare
from cogs.alumni.roster import show_roster
from cogs.alumni.store import AlumniSpace, AlumniStore
from cogs.alumni.views import CongratsButton, WeeklyCheckinButton
from cogs.cohorts.api import Cohort, Membership, record_congratulation

log = logging.getLogger(__name__)

CHANNELS = {
    "lounge": ("alumni-lounge", "Alumni of every cohort. Catch up, share, encourage."),
    "milestones": ("milestones", "Recovery milestones people chose to share."),
    "ask": ("ask-an-alum", "Questions for people who have been through the program."),
}
GRADUATION = "graduation_notice"
CATCH_UP_DAYS = 1
"""How far back start-up looks for graduates never offered a congratulation."""


def alumni_overwrites(
    guild: discord.Guild, alumni: discord.Role, facilitator: discord.Role | None
) -> dict[discord.Role | discord.Member, discord.PermissionOverwrite]:
    overwrites: dict[discord.Role | discord.Member, discord.PermissionOverwrite] = {
        guild.default_role: discord.PermissionOverwrite(view_channel=False),
        alumni: discord.PermissionOverwrite(
            view_channel=True, send_messages=True, read_message_history=True, add_reactions=True
        ),
        guild.me: discord.PermissionOverwrite(
            view_channel=True, send_messages=True, embed_links=True, read_message_history=True
        ),
    }
    if facilitator is not None:
        overwrites[facilitator] = discord.PermissionOverwrite(
            view_channel=True, send_messages=True, read_message_history=True, manage_messages=True
        )
    return overwrites


class Alumni(commands.Cog):
    alumni = app_commands.Group(
        name="alumni", description="The alumni space (facilitators)", guild_only=True
    )

    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        self.store = AlumniStore(bot.db)
        self.members = Membership(bot.db)
        self.aftercare = Aftercare(bot, self.store, self.members)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(CongratsButton)
        self.bot.outbox.register(GRADUATION, self.deliver_congratulation, PERSON)
        await self.aftercare.load()
        await self.offer_missed_congratulations()

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(CongratsButton)
        self.bot.outbox.unregister(GRADUATION)
        await self.aftercare.unload()

    # --- /alumni setup ---------------------------------------------------------------

    @alumni.command(name="roster", description="Graduates, the longest without a check-in first")
    async def roster(self, interaction: discord.Interaction) -> None:
        await show_roster(self.bot, interaction)

    @alumni.command(name="outreach", description="When alumni count as quiet, and who is now")
    @app_commands.describe(days="Days without a check-in, message or session (7-180, default 14)")
    async def outreach(self, interaction: discord.Interaction, days: int | None = None) -> None:
        await self.aftercare.outreach.settings_command(interaction, days)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        self.aftercare.last_messages.note(message)  # a dict store; saved every few minutes

    @alumni.command(name="setup", description="Create the alumni category and its channels")
    async def setup(self, interaction: discord.Interaction) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        alumni = guild.get_role(config.alumni_role_id or 0)
        if alumni is None:
            raise UserError("The alumni role was deleted. Run `/setup server` to choose one.")
        existing = await self.store.space(guild.id)
        if existing is not None and guild.get_channel(existing.category_id) is not None:
            await send_private(
                interaction,
                f"The alumni space already exists: <#{existing.lounge_channel_id}>, "
                f"<#{existing.milestones_channel_id}>, <#{existing.ask_channel_id}>.",
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        facilitator = guild.get_role(config.facilitator_role_id or 0)
        overwrites = alumni_overwrites(guild, alumni, facilitator)
        created = Created()
        try:
            category = await guild.create_category(
                "Alumni", overwrites=overwrites, reason="Lantern: alumni space"
            )
            created.add(category)
            made = {}
            for key, (name, topic) in CHANNELS.items():
                channel = await guild.create_text_channel(
                    name,
                    category=category,
                    overwrites=overwrites,
                    topic=topic,
                    reason="Lantern: alumni space",
                )
                created.add(channel)
                made[key] = channel.id
        except discord.HTTPException as exc:
            await created.undo()
            raise UserError(
                f"Discord refused to create the alumni space ({exc.status}). Nothing was kept. "
                "Run `/setup check` to see which permission I'm missing."
            ) from exc
        space = AlumniSpace(guild.id, category.id, made["lounge"], made["milestones"], made["ask"])
        await self.store.save_space(space, self.bot.clock.now())
        self.bot.dispatch("alumni_space_changed", guild.id)
        await post_log(
            self.bot.outbox, guild, config, f"{interaction.user.mention} created the alumni space."
        )
        await send_private(
            interaction,
            f"Created the alumni space: <#{space.lounge_channel_id}>, "
            f"<#{space.milestones_channel_id}>, <#{space.ask_channel_id}>. Only {alumni.mention} "
            "and facilitators can see it.",
        )

    # --- graduation congratulations --------------------------------------------------

    @commands.Cog.listener()
    async def on_cohort_member_left(
        self, guild: discord.Guild, user_id: int, cohort: Cohort, reason: str
    ) -> None:
        if reason == "graduated":
            await self.offer_congratulation(guild.id, user_id, cohort)

    async def offer_congratulation(self, guild_id: int, user_id: int, cohort: Cohort) -> None:
        await self._offer(guild_id, user_id, cohort.id, cohort.name)

    async def offer_missed_congratulations(self) -> int:
        """At start-up: offer to whoever graduated since yesterday, in case Lantern stopped
        between a graduation's commit and the event above. A no-op for offers already made
        (the outbox keeps their keys for 7 days, longer than this looks back)."""
        since = self.bot.clock.now().date() - timedelta(days=CATCH_UP_DAYS)
        offered = 0
        for guild_id, user_id, cohort_id, name in await self.members.graduations_since(since):
            offered += await self._offer(guild_id, user_id, cohort_id, name)
        if offered:
            log.info("offered missed graduation congratulations", extra={"count": offered})
        return offered

    async def _offer(self, guild_id: int, user_id: int, cohort_id: int, name: str) -> bool:
        """Ask the graduate (by DM, through the outbox) whether to celebrate them; the outbox
        key makes a second offer for the same graduation a no-op (False)."""
        queued = await self.bot.outbox.enqueue(
            GRADUATION,
            cohort_id,
            guild_id=guild_id,
            key=f"{GRADUATION}:{cohort_id}:{user_id}",
            payload={"user_id": user_id, "cohort": name},
        )
        return queued is not None

    async def deliver_congratulation(self, item: Item) -> Landed | None:
        guild = self.bot.get_guild(item.guild_id or 0)
        user_id = int(item.payload["user_id"])
        member = guild.get_member(user_id) if guild else None
        if guild is None or member is None:
            return None  # left meanwhile
        space = await self.store.space(guild.id)
        text = f"🎓 Congratulations on graduating from **{item.payload['cohort']}**! "
        view = discord.ui.View(timeout=None)
        if space is not None:
            text += (
                "Would you like the alumni community to celebrate with you in the "
                "alumni lounge? Nothing is posted unless you say so."
            )
            view.add_item(CongratsButton("share", item.subject_id))
            view.add_item(CongratsButton("private", item.subject_id))
        text += (
            "\n\nIf you'd like, I can keep a lighter check-in going: once a week, on Sundays "
            "at your usual check-in time (change it any time with `/checkin settings`)."
        )
        view.add_item(WeeklyCheckinButton(guild.id))
        try:
            sent = await member.send(
                text,
                allowed_mentions=NO_PINGS,
                nonce=item.nonce(),
                view=view,
            )
        except (discord.Forbidden, discord.NotFound):
            log.info("graduate's DMs are closed", extra={"user_id": member.id})
            return Landed("dms_closed")
        return Landed("dm", sent.channel.id, sent.id)

    async def share_congratulation(self, interaction: discord.Interaction, cohort_id: int) -> None:
        guild_id = await self.members.graduation_guild(interaction.user.id, cohort_id)
        if guild_id is None:
            raise UserError("I couldn't find that graduation.")
        guild = self.bot.get_guild(guild_id)
        space = await self.store.space(guild_id)
        lounge = guild.get_channel(space.lounge_channel_id) if guild and space else None
        if not isinstance(lounge, discord.TextChannel):
            raise UserError(
                "The alumni lounge isn't available right now; a facilitator can fix it."
            )
        if not await record_congratulation(self.bot.db, guild_id, interaction.user.id, cohort_id):
            await interaction.response.edit_message(content="Already shared. 🎉", view=None)
            return
        cohort = await self.members.get(guild_id, cohort_id)
        name = cohort.name if cohort else "their cohort"
        await lounge.send(
            f"🎓 Please welcome <@{interaction.user.id}>, who just graduated from **{name}**!",
            allowed_mentions=NO_PINGS,
        )
        await interaction.response.edit_message(
            content=f"Shared in {lounge.mention}. Congratulations again! 🎉", view=None
        )
