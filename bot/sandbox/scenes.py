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

from bot.sandbox.stage import Stage
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


def _channel(stage: Stage, name: str) -> Channel:
    found = [c for c in stage.world.guild.channels.values() if c.name == name]
    if not found:
        raise RuntimeError(f"no #{name} in the demo server")
    return found[-1]


@scene("Alice opens a cohort and enrols Bob")
async def alice_opens_a_cohort(stage: Stage) -> None:
    w, emu = stage.world, stage.emu
    stage.transcript.narrate(
        "A cohort gets a private category only its members and facilitators can see. Bob "
        "is sent the group agreement first; the channels open when he agrees."
    )
    today = stage.bot.clock.now().date()
    await stage.invoke(
        w.alice,
        w.general,
        "cohort create",
        name="Spring Evening",
        start=today.isoformat(),
        end=(today + timedelta(weeks=10)).isoformat(),
    )
    await stage.invoke(
        w.alice, w.general, "cohort enroll", member=w.bob.member, cohort="Spring Evening"
    )
    agreement = next(m for m in reversed(emu.dms(w.bob.member)) if m.components)
    await stage.click(w.bob, agreement, "I agree")


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
