"""Answering interactions safely, and the base classes for views and modals.

Views and modals route their errors to the same handler as slash commands, so a
button that fails shows the same "something went wrong, ref XXXXX" as a command.
"""

from __future__ import annotations

import logging
from typing import Any, TypeGuard

import discord

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()
# Followups and edits after the interaction token's 15 minutes: 401 50027 Invalid Webhook
# Token (or 404 10015 Unknown Webhook once Discord has forgotten it).
EXPIRED_TOKEN_CODES = frozenset({50027, 10015})
LATE = (
    "That took longer than Discord lets me answer where you asked (15 minutes), so here is "
    "my answer to {what}:"
)
LATE_STAFF = (
    "Your {what} finished, but it took longer than Discord lets me answer where you asked "
    "(15 minutes), so I couldn't show you the result there. I don't send staff information "
    "by DM: please run it again in the server."
)
LATE_UNKNOWN = (
    "Sorry: {what} took longer than Discord lets me answer where you asked (15 minutes), so "
    "I couldn't tell you how it went. It may have gone through: please check before trying "
    "again."
)


async def send_private(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    fallback_dm: bool = False,
) -> bool:
    """Reply ephemerally, by initial response or follow-up as the interaction's state needs.
    If Discord refuses (token expired, outage), that is logged at ERROR with an incident id,
    and with `fallback_dm` (safety texts such as /help-now) the person gets it by DM."""
    kwargs: dict[str, Any] = {"allowed_mentions": NO_PINGS}
    if content is not None:
        kwargs["content"] = content
    if embed is not None:
        kwargs["embed"] = embed
    if view is not None:
        kwargs["view"] = view
    try:
        if interaction.response.is_done():
            await interaction.followup.send(ephemeral=True, **kwargs)
        else:
            await interaction.response.send_message(ephemeral=True, **kwargs)
        return True
    except discord.HTTPException as exc:
        if token_expired(exc):
            return await answer_late(interaction, exc, kwargs, safety=fallback_dm)
        from bot.tree import new_incident_id

        incident = new_incident_id()
        log.error(
            "could not answer an interaction (incident %s)",
            incident,
            extra={
                "interaction_id": interaction.id,
                "user_id": interaction.user.id,
                "status": exc.status,
                "code": exc.code,
                "incident": incident,
            },
        )
    if fallback_dm:
        try:
            await interaction.user.send(**kwargs)
            return True
        except discord.HTTPException as exc:
            log.error(
                "could not DM the answer either",
                extra={"user_id": interaction.user.id, "status": exc.status},
            )
    return False


def token_expired(error: BaseException) -> TypeGuard[discord.HTTPException]:
    """Discord refused a followup or edit because the interaction's token ran out."""
    return isinstance(error, discord.HTTPException) and error.code in EXPIRED_TOKEN_CODES


def _what(interaction: discord.Interaction) -> str:
    if interaction.command is not None:
        return f"`/{interaction.command.qualified_name}`"
    if interaction.type is discord.InteractionType.modal_submit:
        return "the form you sent"
    return "the button you pressed"


async def _is_staff(interaction: discord.Interaction) -> bool:
    """A facilitator (or server manager) here: their answers may be about other people."""
    from bot.checks import member_is_facilitator

    member = interaction.user
    if interaction.guild is None or not isinstance(member, discord.Member):
        return False
    configs = getattr(interaction.client, "guild_configs", None)
    config = await configs.get(interaction.guild.id) if configs is not None else None
    return member_is_facilitator(member, config)


async def answer_late(
    interaction: discord.Interaction,
    error: discord.HTTPException,
    answer: dict[str, Any] | None,
    *,
    safety: bool = False,
) -> bool:
    """The token expired before the answer: reach the person by DM instead. A participant
    (or anyone, for safety texts) gets the answer itself: it is about them alone. Staff get
    a plain notice, since their answers can hold other people's data that shouldn't outlive
    the server's permissions in DMs. With no `answer` (a cog's own followup failed), the
    person is told plainly that it may or may not have gone through."""
    what = _what(interaction)
    log.warning(
        "interaction token expired before the answer; answering by DM",
        extra={
            "interaction_id": interaction.id,
            "guild_id": interaction.guild_id,
            "user_id": interaction.user.id,
            "status": error.status,
            "code": error.code,
        },
    )
    messages: list[dict[str, Any]]
    if answer is None:
        messages = [{"content": LATE_UNKNOWN.format(what=what)}]
    elif not safety and await _is_staff(interaction):
        messages = [{"content": LATE_STAFF.format(what=what)}]
    else:
        header = LATE.format(what=what)
        content = answer.get("content")
        if content is None or len(header) + len(content) + 2 <= 2000:
            lead = {"content": header + (f"\n\n{content}" if content else "")}
            messages = [{**answer, **lead}]
        else:
            messages = [{"content": header}, answer]
    try:
        for message in messages:
            await interaction.user.send(**{"allowed_mentions": NO_PINGS, **message})
        return answer is not None
    except discord.HTTPException as exc:
        log.warning(
            "could not DM a late answer either",
            extra={
                "interaction_id": interaction.id,
                "user_id": interaction.user.id,
                "status": exc.status,
                "code": exc.code,
            },
        )
        return False


class LanternView(discord.ui.View):
    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        from bot.tree import report_error

        await report_error(interaction, error)


class LanternModal(discord.ui.Modal):
    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        from bot.tree import report_error

        await report_error(interaction, error)
