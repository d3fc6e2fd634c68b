"""Care teams: `/cohort team add|remove|list`. A cohort's team are the facilitators who look
after it (people, or everyone with a role); program staff (the server's facilitator role, or
Manage Server) name them and keep seeing every cohort."""

from __future__ import annotations

import logging
from datetime import datetime

import discord

from bot import lists
from bot.checks import guild_of, require_facilitator
from bot.client import LanternBot
from bot.errors import UserError
from bot.interactions import send_private
from bot.pages import send_pages, to_embeds
from bot.staff import post_log
from bot.storage.guilds import GuildConfig
from cogs.cohorts.lookup import find_cohort
from cogs.cohorts.store import Cohort, CohortStore
from cogs.cohorts.team_store import TeamStore

log = logging.getLogger(__name__)

MEMBERS_PER_QUERY = 100
"""Discord's Request Guild Members takes at most 100 user ids."""

Who = discord.Member | discord.Role


class Teams:
    def __init__(self, bot: LanternBot, store: CohortStore) -> None:
        self.bot = bot
        self.store = store
        self.teams = TeamStore(bot.db)

    async def add(self, interaction: discord.Interaction, cohort: str, who: Who) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await find_cohort(self.store, guild, cohort, live=True)
        user_id, role_id = _seat(who)
        added = await self.teams.add(
            guild.id,
            found.id,
            user_id=user_id,
            role_id=role_id,
            by=interaction.user.id,
            now=self.bot.clock.now(),
        )
        if not added:
            raise UserError(f"{who.mention} is already on **{found.name}**'s care team.")
        await self._changed(interaction, config, found, who, f"added {who.mention} to")
        await send_private(
            interaction,
            f"Added {who.mention} to **{found.name}**'s care team. They see this cohort's "
            "people only; program staff still see every cohort.",
        )

    async def remove(self, interaction: discord.Interaction, cohort: str, who: Who) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await find_cohort(self.store, guild, cohort)
        user_id, role_id = _seat(who, adding=False)
        if not await self.teams.remove(found.id, user_id=user_id, role_id=role_id):
            raise UserError(f"{who.mention} isn't on **{found.name}**'s care team.")
        await self._changed(interaction, config, found, who, f"removed {who.mention} from")
        await send_private(interaction, f"Removed {who.mention} from **{found.name}**'s care team.")

    async def _changed(
        self,
        interaction: discord.Interaction,
        config: GuildConfig,
        cohort: Cohort,
        who: Who,
        what: str,
    ) -> None:
        """Logged (ids only) and posted in the moderation log (mentions, no pings)."""
        log.info(
            "care team changed",
            extra={"cohort_id": cohort.id, "target_id": who.id, "change": what.split()[0]},
        )
        line = f"{interaction.user.mention} {what} **{cohort.name}**'s care team."
        await post_log(self.bot.outbox, guild_of(interaction), config, line)

    async def show(self, interaction: discord.Interaction, cohort: str) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await find_cohort(self.store, guild, cohort)
        seats = await self.teams.seats(found.id)
        lines = [f"{seat.mention} (added {_day(seat.added_at)})" for seat in seats] or [
            "No care team yet: program staff look after this cohort. Name its facilitators "
            "with `/cohort team add`."
        ]
        pages = lists.paginate(
            lines=lines, title=f"Care team: {found.name}", footer=f"{len(seats)} on the team"
        )
        await send_pages(interaction, to_embeds(pages, colour=discord.Colour.blurple()))

    async def set_channel(
        self, interaction: discord.Interaction, cohort: str, channel: discord.TextChannel | None
    ) -> None:
        """Where the team is asked about the cohort's end (and, next, alerted): a private text
        channel the team can read, or None for the server's staff channels."""
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await find_cohort(self.store, guild, cohort, live=True)
        if channel is not None:
            if channel.guild.id != guild.id:
                raise UserError("Choose a channel of this server.")
            if channel.permissions_for(guild.default_role).view_channel:
                raise UserError(
                    f"{channel.mention} is visible to everyone. A care team's channel carries "
                    "health information: choose a private channel."
                )
            mine = channel.permissions_for(guild.me)
            if not (mine.view_channel and mine.send_messages and mine.embed_links):
                raise UserError(
                    f"I can't post in {channel.mention}: I need View Channel, Send Messages "
                    "and Embed Links there."
                )
        await self.store.set_team_channel(found.id, channel.id if channel else None)
        where = channel.mention if channel else "the server's staff channels"
        await post_log(
            self.bot.outbox,
            guild,
            config,
            f"{interaction.user.mention} set **{found.name}**'s care team channel to {where}.",
        )
        await send_private(interaction, f"**{found.name}**'s care team is now asked in {where}.")

    async def reconcile(self, guild: discord.Guild) -> None:
        """At start-up: seats of people who left, or roles deleted, while Lantern was down
        (the listeners only see what happens while it runs)."""
        users, roles = await self.teams.holders(guild.id)
        for role_id in roles - {role.id for role in guild.roles}:
            await self.forget(guild.id, role_id=role_id)
        ids = sorted(users)
        for start in range(0, len(ids), MEMBERS_PER_QUERY):
            chunk = ids[start : start + MEMBERS_PER_QUERY]
            try:
                found = await guild.query_members(user_ids=chunk, limit=len(chunk), cache=False)
            except (TimeoutError, discord.ClientException) as exc:
                # Kept until the next start; someone who left can't use commands anyway.
                log.warning(
                    "care team members not checked",
                    extra={"guild_id": guild.id, "error": type(exc).__name__},
                )
                return
            for user_id in set(chunk) - {member.id for member in found}:
                await self.forget(guild.id, user_id=user_id)

    async def forget(
        self, guild_id: int, *, user_id: int | None = None, role_id: int | None = None
    ) -> None:
        if await self.teams.forget(guild_id, user_id=user_id, role_id=role_id):
            log.info(
                "care team seats removed",
                extra={"guild_id": guild_id, "user_id": user_id, "role_id": role_id},
            )


def _day(iso: str) -> str:
    return discord.utils.format_dt(datetime.fromisoformat(iso), "d")


def _seat(who: Who, *, adding: bool = True) -> tuple[int | None, int | None]:
    """(user id, role id) of whoever a command named; refuses what can't be on a team."""
    if isinstance(who, discord.Role):
        if adding and (who.is_default() or who.managed):
            raise UserError(
                f"{who.mention} can't be a care team: choose a role you give facilitators."
            )
        return None, who.id
    if adding and who.bot:
        raise UserError("Bots can't be on a care team.")
    return who.id, None
