"""`python -m bot sandbox`: the scripted tour on the emulator, in-process and as a command."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from bot.sandbox import Scene, Stage, run_sandbox
from tests.e2e.harness import ExpectingErrorLogWatch


def flat(text: str) -> str:
    """The transcript without its line wrapping and quote bars."""
    return " ".join(text.replace("│", " ").split())


async def test_sandbox_transcript_shows_setup_and_who_sees_what() -> None:
    out = io.StringIO()
    assert await run_sandbox(out) == 0
    transcript = out.getvalue()
    assert "nothing leaves this machine" in transcript
    assert "python -m bot run" in transcript  # the footer says how to run it for real

    setup, rest = transcript.split("── 2.", 1)
    assert "Dana  › /setup server create_missing:True timezone:America/Chicago region:US" in setup
    assert "▌ Lantern is set up" in setup
    assert "Lantern → Dana, in #general (only Dana sees this):" in setup
    assert "#escalations (visible to Dana only)" in setup
    assert "Alice, Bob, Carol and Dev: nothing new" in setup

    check, rest = rest.split("── 3.", 1)
    assert "Dana  › /setup check" in check and "▌ All good" in check

    show, refusal = rest.split("── 4.", 1)
    assert "Alice can now see category Lantern staff, #escalations, #mod-log." in show
    assert "Lantern → Alice, in #general (only Alice sees this):" in show
    assert "Timezone: America/Chicago" in show

    refusal, rest = refusal.split("── 5.", 1)
    assert "Bob   › /setup show" in refusal
    assert "Lantern → Bob, in #general (only Bob sees this):" in refusal
    assert "Only facilitators can do this." in refusal
    assert "America/Chicago" not in refusal
    assert "Dana, Alice, Carol and Dev: nothing new (they see none of this)." in refusal

    cohort, crisis = (flat(part) for part in rest.split("── 6.", 1))
    assert "#group (visible to Dana and Alice only)" in cohort
    assert "[I agree] [I have questions]" in cohort
    assert "Bob can now see category Spring Evening" in cohort

    crisis = crisis.split("To run Lantern", 1)[0]
    assert "Lantern posts in #escalations (seen by Dana and Alice)" in crisis
    assert "DM to Bob, from Lantern" in crisis and "988" in crisis
    assert "Acknowledged by @Alice" in crisis

    sessions, checkin = crisis.split("── 8.", 1)
    assert "Added Group therapy" in sessions and "Your next sessions" in sessions
    assert "[Add to calendar]" in sessions
    checkin, team = checkin.split("── 9.", 1)
    assert "(only Bob sees this)" in checkin and "Thanks for checking in" in checkin

    team, scoped = team.split("── 10.", 1)
    assert "#spring-evening-team (visible to Dana and Erin only)" in team
    assert "Added @Erin to Spring Evening's care team" in team
    assert "is now asked in #spring-evening-team" in team

    scoped, paged = scoped.split("── 11.", 1)
    listed = scoped.split("Erin › /cohort list", 1)[1].split("Erin › /checkin history", 1)[0]
    assert "Spring Evening" in listed and "Summer Morning" not in listed
    bob_seen, dev_refused = scoped.split("Erin › /checkin history member:@Dev", 1)
    assert "Check-ins · Bob" in bob_seen
    assert "You can see only the people of the cohorts your care team looks after." in dev_refused
    assert "Check-ins · Dev" not in dev_refused

    paged, graduated = paged.split("── 12.", 1)
    assert "Lantern posts in #spring-evening-team (seen by Dana and Erin): @Erin" in paged
    assert "Crisis alert: Bob" in paged and "Acknowledged by @Erin" in paged

    graduated, quiet = graduated.split("── 13.", 1)
    assert "Graduated @Bob from Spring Evening" in graduated
    assert "[Keep a weekly check-in]" in graduated and "check in with you weekly" in graduated

    assert "Quiet now: 0 of 1 alumni" in quiet
    outreach_dm, staff_list = quiet.split("Lantern's weekly list for program staff", 1)
    assert "DM to Bob, from Lantern: ▌ Thinking of you" in outreach_dm
    assert "988" in outreach_dm and "[Stop these messages]" in outreach_dm
    assert "Lantern posts in #mod-log (seen by Dana and Alice): ▌ Alumni to reach out to" in (
        staff_list
    )
    assert "@Bob · Spring Evening · graduated" in staff_list and "DM'd" in staff_list


async def test_a_new_scene_is_one_function_and_a_failing_one_still_shuts_down(
    error_logs: ExpectingErrorLogWatch,
) -> None:
    async def hello(stage: Stage) -> None:
        await stage.say(stage.world.bob, stage.world.general, "hi everyone")

    async def broken(stage: Stage) -> None:
        raise RuntimeError("scene bug")

    out = io.StringIO()
    code = await run_sandbox(out, scenes=[Scene("Bob says hi", hello), Scene("Oops", broken)])
    assert code == 1
    transcript = out.getvalue()
    assert "── 1. Bob says hi" in transcript
    assert "Bob posts in #general (seen by everyone there):" in transcript
    assert "│ hi everyone" in transcript
    assert "stopped early" in transcript
    assert error_logs.expect("the sandbox stopped early")


def test_python_m_bot_sandbox_needs_no_token_or_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox"],
        cwd=tmp_path,  # no .env here either
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Only facilitators can do this." in done.stdout
    assert done.stderr == ""  # quiet: warnings and errors only, and there are none
    assert not list(tmp_path.iterdir())  # no data/lantern.db: the database was temporary
