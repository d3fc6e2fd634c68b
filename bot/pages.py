"""Long lists as pages of embeds with Previous / Next buttons (the layout is `bot/lists.py`).

The pages are computed once, when the command runs; turning a page edits the message in
place through the click's own interaction, which also works on ephemeral replies. Only the
person who ran the command can turn pages. After `PAGE_TIMEOUT` the buttons are disabled
through the command's interaction, whose token can still edit its reply (15 minutes).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from typing import Any

import discord

from bot.interactions import LanternView, send_private
from bot.lists import CONTINUED, EMBED_LIMIT, Page, shorten

log = logging.getLogger(__name__)

PAGE_TIMEOUT = 600.0  # under the 15 minutes an interaction token may edit its reply
NOT_YOURS = "This list isn't yours to page through: run the command yourself to see it."


def to_embed(
    page: Page, *, colour: discord.Colour | None = None, url: str | None = None
) -> discord.Embed:
    embed = discord.Embed(
        title=page.title or None, description=page.description or None, colour=colour, url=url
    )
    for item in page.fields:
        embed.add_field(name=item.name, value=item.value, inline=item.inline)
    if page.footer:
        embed.set_footer(text=page.footer)
    if page.author:
        embed.set_author(name=page.author)
    return embed


def to_embeds(
    pages: Sequence[Page], *, colour: discord.Colour | None = None
) -> list[discord.Embed]:
    return [to_embed(p, colour=colour) for p in pages]


def embed_size(embed: discord.Embed) -> int:
    """Characters Discord counts toward the 6,000 a message's embeds may hold together."""
    size = len(embed.title or "") + len(embed.description or "")
    size += len(embed.footer.text or "") + len(embed.author.name or "")
    return size + sum(len(f.name or "") + len(f.value or "") for f in embed.fields)


def fit_beside(
    lead: discord.Embed, others: Sequence[discord.Embed], note: str
) -> discord.Embed | None:
    """`lead` as sent with `others` in one message: if together they pass 6,000 characters,
    `lead`'s longest fields give way (the others are never cut), and a last field names what
    was left out and `note` says where to read it. None if even its title can't fit."""
    budget = EMBED_LIMIT - sum(embed_size(e) for e in others)
    if embed_size(lead) <= budget:
        return lead
    fields = list(lead.fields)
    left_out: list[str] = []
    trimmed = lead.copy()

    def rebuilt() -> discord.Embed:
        trimmed.clear_fields()
        for f in fields:
            trimmed.add_field(name=f.name, value=f.value, inline=f.inline)
        if left_out:
            names = ", ".join(dict.fromkeys(left_out))
            trimmed.add_field(name="Also in it", value=shorten(f"{names}: {note}", 1024))
        return trimmed

    while fields and embed_size(rebuilt()) > budget:
        longest = max(fields, key=lambda f: len(f.value or ""))
        fields.remove(longest)
        left_out.append((longest.name or "").removesuffix(CONTINUED))
    result = rebuilt()
    return result if embed_size(result) <= budget else None


class PageView(LanternView):
    """Previous / Next over embeds computed beforehand."""

    def __init__(
        self,
        embeds: Sequence[discord.Embed],
        owner_id: int,
        *,
        timeout: float = PAGE_TIMEOUT,
        extra: Sequence[discord.ui.Item[Any]] = (),
    ) -> None:
        super().__init__(timeout=timeout)
        for item in extra:  # the list's own buttons (e.g. "Add to calendar"), after the pages'
            self.add_item(item)
        if not embeds:
            raise ValueError("a paged list needs at least one page")
        self.embeds = list(embeds)
        self.owner_id = owner_id
        self.index = 0
        self.origin: discord.Interaction | None = None
        # Unique per list: views not yet bound to a message are found by custom id alone.
        nonce = secrets.token_hex(6)
        self.previous.custom_id = f"lantern:pages:previous:{nonce}"
        self.next.custom_id = f"lantern:pages:next:{nonce}"
        self._refresh()

    @property
    def current(self) -> discord.Embed:
        return self.embeds[self.index]

    def _refresh(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index == len(self.embeds) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await send_private(interaction, NOT_YOURS)
        return False

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.index = max(0, min(len(self.embeds) - 1, self.index + step))
        self._refresh()
        await interaction.response.edit_message(embed=self.current, view=self)

    @discord.ui.button(label="Previous", emoji="◀️", style=discord.ButtonStyle.secondary)
    async def previous(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", emoji="▶️", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, 1)

    async def on_timeout(self) -> None:
        self.previous.disabled = self.next.disabled = True
        if self.origin is None:
            return
        try:
            await self.origin.edit_original_response(view=self)
        except discord.HTTPException as exc:  # dismissed, or the token expired: nothing to do
            log.debug("could not disable a paged list's buttons", extra={"status": exc.status})


async def send_pages(
    interaction: discord.Interaction,
    embeds: Sequence[discord.Embed],
    *,
    extra: Sequence[discord.ui.Item[Any]] = (),
) -> None:
    """Answer privately with the first page, and Previous / Next when there are more;
    `extra` items (persistent buttons) come along on every page."""
    if len(embeds) == 1:
        single = None
        if extra:
            single = discord.ui.View(timeout=None)
            for item in extra:
                single.add_item(item)
        await send_private(interaction, embed=embeds[0], view=single)
        return
    view = PageView(embeds, interaction.user.id, extra=extra)
    # A reply after a "thinking" deferral completes the original response, so both ways
    # the command's interaction can edit it later.
    if await send_private(interaction, embed=view.current, view=view):
        view.origin = interaction
    else:
        view.stop()
