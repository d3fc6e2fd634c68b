"""Where someone stands in the program, read through the cohort feature's own store."""

from __future__ import annotations

from dataclasses import dataclass

from cogs.cohorts.api import EnrollmentStatus, Membership


@dataclass(frozen=True)
class Standing:
    status: str
    """'active', 'pending' (not agreed yet), 'alumni' (graduated, no open enrolment),
    'former' (removed) or 'none' (never enrolled here)."""
    cohort_id: int | None

    @property
    def may_check_in(self) -> bool:
        return self.status in ("active", "alumni")


async def standing(cohorts: Membership, guild_id: int, user_id: int) -> Standing:
    current = await cohorts.open_enrollment(guild_id, user_id)
    if current is not None:
        active = current.status == EnrollmentStatus.ACTIVE
        return Standing("active" if active else "pending", current.cohort_id)
    latest: tuple[str, int] | None = None
    for cohort in await cohorts.list(guild_id):
        for enrollment in await cohorts.history(cohort.id):
            if enrollment.user_id != user_id:
                continue
            graduated = await cohorts.graduated_on(guild_id, user_id, cohort.id)
            status = "alumni" if graduated is not None else "former"
            if latest is None or status == "alumni":
                latest = (status, cohort.id)
    return Standing(*latest) if latest else Standing("none", None)


def not_in_a_cohort(where: Standing) -> str:
    if where.status == "pending":
        return "Check-ins start once you've agreed to your cohort's group agreement (see your DMs)."
    return "Check-ins are for people in a cohort. A facilitator can enrol you."
