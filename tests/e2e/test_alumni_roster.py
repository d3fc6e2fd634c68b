"""`/alumni roster` for program staff (every graduate), a care team member (their cohorts'
graduates only) and a participant (refused)."""

from __future__ import annotations

from bot.client import LanternBot
from emulator import Emulator
from tests.e2e.harness import Clinic
from tests.e2e.steps.cohorts import agree, agreement_message, create, enroll
from tests.e2e.steps.common import text

SPRING, AUTUMN = "Spring Evening", "Autumn Morning"


async def test_roster_is_scoped_to_the_callers_cohorts(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    dev = emu.create_member(clinic.guild, "dev")
    for who, cohort in ((clinic.bob, SPRING), (dev, AUTUMN)):
        await create(emu, clinic, cohort)
        await enroll(emu, clinic, who, cohort)
        await agree(emu, who, agreement_message(emu, who))
        res = await emu.invoke(
            clinic.alice, clinic.general, "cohort graduate member", member=who, cohort=cohort
        )
        assert "Graduated" in text(res), text(res)
    erin = emu.create_member(clinic.guild, "erin")
    await emu.invoke(clinic.alice, clinic.general, "cohort team add", cohort=SPRING, member=erin)
    bob, other = f"<@{clinic.bob.user.id}>", f"<@{dev.user.id}>"

    staff = await emu.invoke(clinic.alice, clinic.general, "alumni roster")
    assert staff.ephemeral and bob in text(staff) and other in text(staff), text(staff)
    assert "no check-in since graduating" in text(staff)
    team = await emu.invoke(erin, clinic.general, "alumni roster")
    assert bob in text(team) and other not in text(team), text(team)
    refused = await emu.invoke(clinic.bob, clinic.general, "alumni roster")
    assert "Only facilitators" in text(refused) and other not in text(refused)
