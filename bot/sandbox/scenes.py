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

from bot.sandbox.stage import Stage

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
