"""What people and facilitators read about private conversations, in one place.

Written for someone on a phone late at night: warm, plain, honest about when a human will
be there, and never a promise Lantern can't keep.
"""

from __future__ import annotations

from datetime import datetime

import discord

from bot.safety import not_an_emergency_service
from cogs.support.hours import Window, describe
from config.resources import Region

TOPICS = {
    "hard": "Something's hard right now",
    "program": "A question about the program",
    "someone": "A concern about someone",
    "other": "Something else",
}
NO_FIRST_MESSAGE = (
    'Please write a few words, even just "I need to talk", so a facilitator knows where to '
    "start. Nothing was sent."
)


def when(moment: datetime, style: str = "F") -> str:
    return f"<t:{int(moment.timestamp())}:{style}>"


def opening_embed(topic: str, text: str, author: str) -> discord.Embed:
    """The first post in the private conversation: the person's own words."""
    embed = discord.Embed(
        title=TOPICS[topic], description=text[:4000], colour=discord.Colour.blurple()
    )
    embed.set_author(name=author)
    embed.set_footer(text="Only you and the program's facilitators can see this conversation.")
    return embed


def opening_line(person_mention: str, out_of_hours: bool, next_at: datetime | None) -> str:
    if out_of_hours and next_at is not None:
        return (
            f"{person_mention}, thank you for reaching out. This is your private space with the "
            f"facilitators. Nobody is on shift right now: someone will see this from "
            f"{when(next_at)}. You can keep writing here in the meantime."
        )
    return (
        f"{person_mention}, thank you for reaching out. This is your private space with the "
        "facilitators; one of them will be with you here soon."
    )


def person_reply(
    space_mention: str, *, staffed: bool, next_at: datetime | None, windows: list[Window]
) -> discord.Embed:
    """What the person is told after submitting /talk (privately)."""
    if not windows:
        body = (
            f"Your conversation is open in {space_mention}. A facilitator has been let know and "
            "will reply there as soon as they can. You can add to it any time."
        )
    elif staffed:
        body = (
            f"Your conversation is open in {space_mention}. A facilitator is on shift and has "
            "been let know; they'll reply there. You can add to it any time."
        )
    else:
        later = f"from {when(next_at)} ({when(next_at, 'R')})" if next_at else "when they're back"
        body = (
            f"Your conversation is open in {space_mention}, but I want to be honest: nobody is "
            f"on shift right now, so a facilitator will see it {later}. Your message is safe "
            "there and you can keep adding to it.\n\nStaffed hours:\n" + describe(windows)
        )
    return discord.Embed(title="Your conversation is open", description=body, colour=0x5865F2)


def crisis_lines_embed(region: Region) -> discord.Embed:
    return discord.Embed(
        title="If you need someone right now",
        description=not_an_emergency_service(region),
        colour=discord.Colour.red(),
    )


def claimed_line(person_mention: str, facilitator: str) -> str:
    return f"{person_mention}, **{facilitator}** from the facilitator team is with you now. 💙"


def closed_line(person_mention: str, facilitator: str | None) -> str:
    who = f"**{facilitator}** has closed" if facilitator else "This is now closed:"
    return (
        f"{person_mention}, {who} this conversation. Thank you for reaching out. If you'd like "
        "to talk again, use `/talk` any time; if things feel heavy, `/help-now` has lines that "
        "answer at any hour."
    )


def reminder_line(conversation_id: int, waited: int, sent: int, target: str, url: str) -> str:
    """The re-announcement in the staff channel, after `sent` earlier ones. No mention of the
    person: a line Lantern can't edit later must not name them."""
    return (
        f"{target} 💬 Conversation #{conversation_id} has waited {waited} minute(s) for a reply "
        f"({sent + 1} reminder{'s' if sent else ''}): {url}"
    ).strip()


def team_waiting(cohort_name: str) -> str:
    """Added to program staff's copy of a re-announcement of a care team's conversation."""
    return f"(**{discord.utils.escape_markdown(cohort_name)}**'s care team hasn't answered yet.)"


def left_line(name: str) -> str:
    return f"{name} has left the server, so this conversation is now closed."


def added_embed(topic: str, text: str, author: str) -> discord.Embed:
    embed = opening_embed(topic, text, author)
    embed.title = f"More from {author}: {TOPICS[topic].lower()}"
    return embed
