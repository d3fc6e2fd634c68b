"""The sandbox's script: scenes played in order, each one async function of a `Stage`.

A new feature adds its scene by writing one function below the others:

    @scene("Bob checks in")
    async def bob_checks_in(stage: Stage) -> None:
        w = stage.world
        await stage.invoke(w.bob, w.general, "checkin", mood=4)

Scenes share one server, bot and database, so a scene may rely on the ones before it
(after "Dana sets Lantern up", the server is configured).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.sandbox.stage import Stage
from bot.sandbox.world import Person, join
from cogs.alumni.cog import Alumni
from emulator import P
from emulator.model import Channel

Play = Callable[[Stage], Awaitable[None]]


@dataclass(frozen=True)
class Scene:
    title: str
    play: Play


SCENES: list[Scene] = []
"""Every registered scene, in the order they are played."""


def scene(title: str) -> Callable[[Play], Play]:
    """Register the decorated function as the next scene."""

    def register(play: Play) -> Play:
        SCENES.append(Scene(title, play))
        return play

    return register


# --- /setup -------------------------------------------------------------------------------


@scene("Dana sets Lantern up")
async def dana_sets_up(stage: Stage) -> None:
    w = stage.world
    stage.transcript.narrate(
        "Dana owns the server. She lets Lantern create what is missing: the roles, and a "
        "private staff area for crisis alerts and the moderation log."
    )
    await stage.invoke(
        w.dana,
        w.general,
        "setup server",
        create_missing=True,
        timezone="America/Chicago",
        region="US",
    )


@scene("Dana checks Lantern's permissions")
async def dana_checks(stage: Stage) -> None:
    w = stage.world
    await stage.invoke(w.dana, w.general, "setup check")


@scene("Alice, now a facilitator, looks at the configuration")
async def alice_shows(stage: Stage) -> None:
    w, emu = stage.world, stage.emu
    config = await stage.config()
    if config is None or config.facilitator_role_id is None:
        raise RuntimeError("the set-up scene did not save a facilitator role")
    facilitator = w.guild.roles[config.facilitator_role_id]
    await stage.admin(
        w.dana,
        f"gives Alice the @{facilitator.name} role (Server Settings › Members)",
        lambda: emu.add_role(w.alice.member, facilitator),
    )
    await stage.admin(
        w.dana,
        "lets everyone use /setup (Server Settings › Integrations); Lantern still checks "
        "who may use each part",
        lambda: emu.override_command(w.guild, "setup", w.guild),
    )
    await stage.invoke(w.alice, w.general, "setup show")


@scene("Bob, a participant, tries to look too")
async def bob_is_refused(stage: Stage) -> None:
    w = stage.world
    stage.transcript.narrate(
        "The configuration names the private staff channels, so only facilitators may see "
        "it. Lantern says no to Bob privately: nobody else sees that he asked."
    )
    await stage.invoke(w.bob, w.general, "setup show")


# --- cohorts ------------------------------------------------------------------------------


def _channel(stage: Stage, name: str, under: str | None = None) -> Channel:
    """The newest #name (in category `under`, if given)."""
    channels = stage.world.guild.channels
    found = [
        c
        for c in channels.values()
        if c.name == name
        and (under is None or (c.parent_id in channels and channels[c.parent_id].name == under))
    ]
    if not found:
        raise RuntimeError(f"no #{name} in the demo server")
    return found[-1]


async def _open_cohort(stage: Stage, name: str, *, weeks: int, first: Person) -> None:
    """Alice creates cohort `name` from today, enrols `first`, who agrees."""
    w = stage.world
    today = stage.bot.clock.now().date()
    await stage.invoke(
        w.alice,
        w.general,
        "cohort create",
        name=name,
        start=today.isoformat(),
        end=(today + timedelta(weeks=weeks)).isoformat(),
    )
    await stage.invoke(w.alice, w.general, "cohort enroll", member=first.member, cohort=name)
    agreement = next(m for m in reversed(stage.emu.dms(first.member)) if m.components)
    await stage.click(first, agreement, "I agree")


@scene("Alice opens a cohort and enrols Bob")
async def alice_opens_a_cohort(stage: Stage) -> None:
    w = stage.world
    stage.transcript.narrate(
        "A cohort gets a private category only its members and facilitators can see. Bob "
        "is sent the group agreement first; the channels open when he agrees."
    )
    await _open_cohort(stage, "Spring Evening", weeks=10, first=w.bob)


@scene("Bob has a hard night")
async def bob_has_a_hard_night(stage: Stage) -> None:
    w, emu = stage.world, stage.emu
    stage.transcript.narrate(
        "Late at night Bob writes something worrying in his cohort's #group. Lantern answers "
        "him privately with real crisis lines at once, and alerts the facilitators in the "
        "staff channel, which Bob and the other participants cannot see."
    )
    await stage.say(
        w.bob, _channel(stage, "group"), "honestly everyone would be better off without me"
    )
    escalations = _channel(stage, "escalations")
    alert = next(m for m in reversed(emu.messages_in(escalations)) if m.components)
    await stage.click(w.alice, alert, "Acknowledge")


# --- sessions, check-ins -------------------------------------------------------------------


@scene("Alice schedules group sessions; Bob looks at his week")
async def alice_schedules(stage: Stage) -> None:
    w = stage.world
    stage.transcript.narrate(
        "Sessions are kept in the program's timezone and stay at 18:00 local across "
        "daylight-saving changes. Reminders go to #announcements with RSVP buttons."
    )
    await stage.invoke(
        w.alice,
        w.general,
        "session add",
        cohort="Spring Evening",
        title="Group therapy",
        weekdays="Mon,Wed,Thu",
        time="18:00",
        duration="3h",
    )
    await stage.invoke(w.bob, w.general, "schedule", weeks=1)


@scene("Bob checks in")
async def bob_checks_in(stage: Stage) -> None:
    w = stage.world
    stage.transcript.narrate(
        "A two-minute check-in, privately. Only Bob and the facilitators see the answers; "
        "sharing a summary with the cohort is Bob's choice."
    )
    res = await stage.invoke(w.bob, w.general, "checkin now")
    if res is None or res.message is None:
        return
    await stage.click(w.bob, res.message, "4 🙂")
    await stage.click(w.bob, res.message, "Done")


# --- care teams ---------------------------------------------------------------------------


@scene("Dana gives Spring Evening its own care team")
async def dana_names_a_care_team(stage: Stage) -> None:
    w, emu = stage.world, stage.emu
    stage.transcript.narrate(
        "A program runs several cohorts, each with its own clinicians. Erin, a counsellor, "
        "joins Spring Evening's care team: she sees only its people, and its alerts come to "
        "her team's private channel first. Dana and Alice, program staff, still see everything."
    )
    erin = await stage.act(
        w.dana, "invites Erin, a counsellor", lambda: _arrive(stage, "Erin", "counsellor")
    )
    if erin is None:
        raise RuntimeError("Erin could not join the demo server")
    room = await stage.act(
        w.dana,
        "creates #spring-evening-team, private to Erin (and Lantern)",
        lambda: _private_room(stage, "spring-evening-team", erin),
    )
    await stage.invoke(
        w.dana, w.general, "cohort team add", cohort="Spring Evening", member=erin.member
    )
    options = {"cohort": "Spring Evening", "channel": room}
    await stage.act(
        w.dana,
        stage.transcript.command("cohort team channel", options),
        lambda: emu.invoke(w.dana.member, w.general, "cohort team channel", options=options),
        where=w.general,
    )


@scene("Erin sees her cohort's people, and only them")
async def erin_sees_her_cohort(stage: Stage) -> None:
    w = stage.world
    stage.transcript.narrate(
        "Alice opens a second cohort for Dev. Erin's /cohort list shows only Spring Evening; "
        "she can read Bob's check-ins, but not Dev's: Lantern doesn't even say whether Dev is "
        "in another cohort."
    )
    await _open_cohort(stage, "Summer Morning", weeks=8, first=w.dev)
    erin = w.joined[-1]
    await stage.invoke(erin, w.general, "cohort list")
    await stage.invoke(erin, w.general, "checkin history", member=w.bob.member)
    await stage.invoke(erin, w.general, "checkin history", member=w.dev.member)


@scene("Bob's next hard moment goes to his care team first")
async def bob_reaches_his_team(stage: Stage) -> None:
    w, emu = stage.world, stage.emu
    stage.transcript.narrate(
        "Alerts about Spring Evening's people now page Erin in her team's channel. If nobody "
        "there acknowledges in time (/crisis settings escalate_after, 10 minutes unless "
        "changed), program staff are paged in #escalations too. Alice closed Bob's first "
        "alert after talking with him."
    )
    first = next(m for m in emu.messages_in(_channel(stage, "escalations")) if m.components)
    await stage.click(w.alice, first, "Close")
    await stage.say(
        w.bob,
        _channel(stage, "group", under="Spring Evening"),
        "i cant do this anymore, i want to die",
    )
    room = _channel(stage, "spring-evening-team")
    alert = next(m for m in reversed(emu.messages_in(room)) if m.components)
    await stage.click(w.joined[-1], alert, "Acknowledge")


async def _arrive(stage: Stage, name: str, about: str) -> Person:
    return join(stage.emu, stage.world, name, about)


async def _private_room(stage: Stage, name: str, who: Person) -> Channel:
    guild = stage.world.guild
    return stage.emu.create_channel(
        guild,
        name,
        overwrites={
            guild: (0, P.VIEW_CHANNEL),
            who.member: (P.VIEW_CHANNEL, 0),
            guild.bot_role: (P.VIEW_CHANNEL | P.SEND_MESSAGES, 0),
        },
    )


# --- alumni and aftercare -----------------------------------------------------------------


@scene("Bob graduates, and keeps a weekly check-in")
async def bob_graduates(stage: Stage) -> None:
    w, emu = stage.world, stage.emu
    stage.transcript.narrate(
        "Ten weeks on, Bob graduates. Dana opens an alumni space first. Bob is asked, "
        "privately, whether to be congratulated in the lounge, and offered a lighter weekly "
        "check-in; he keeps the check-in."
    )
    await stage.invoke(w.dana, w.general, "alumni setup")
    await stage.invoke(
        w.alice,
        w.general,
        "cohort graduate member",
        member=w.bob.member,
        cohort="Spring Evening",
    )
    offer = next(m for m in reversed(emu.dms(w.bob.member)) if m.components)
    await stage.click(w.bob, offer, "Keep a weekly check-in")


@scene("Three weeks later, Lantern reaches out to Bob, who has gone quiet")
async def bob_goes_quiet(stage: Stage) -> None:
    w = stage.world
    stage.transcript.narrate(
        "Dana checks when alumni count as quiet (14 days: no check-in, message or session). "
        "Three weeks pass without a word from Bob (the sandbox moves Lantern's clock): the "
        "daily run sends him one warm DM, at most once a month, with the alumni space, "
        "upcoming events and crisis lines; the weekly list tells program staff who to reach "
        "out to, with dates only, never what anyone wrote."
    )
    await stage.invoke(w.dana, w.general, "alumni outreach", days=14)
    config = await stage.config()
    zone = ZoneInfo(config.timezone if config and config.timezone else "UTC")
    later = stage.bot.clock.now() + timedelta(weeks=3)
    outreach = _alumni(stage).aftercare.outreach
    guild = stage.bot.get_guild(w.guild.id)
    if guild is None:
        raise RuntimeError("Lantern does not see the demo server")
    await stage.act(
        w.dana,
        "(three weeks pass) Lantern's daily outreach run",
        lambda: outreach.run(guild, later, zone),
    )
    local = later.astimezone(zone).date()
    monday = local - timedelta(days=local.weekday())
    await stage.act(
        w.dana,
        "(the same week) Lantern's weekly list for program staff",
        lambda: outreach.weekly_list(guild, later, zone, monday),
    )


def _alumni(stage: Stage) -> Alumni:
    found = [cog for cog in stage.bot.cogs.values() if isinstance(cog, Alumni)]
    if not found:
        raise RuntimeError("the alumni feature is not loaded")
    return found[0]
