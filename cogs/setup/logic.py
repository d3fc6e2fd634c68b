"""Pure rules for server set-up: timezones, regions and what is still missing."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Files in the tz database that aren't places: people never mean them.
ODD_ZONES = frozenset({"localtime", "factory", "posixrules", "etc/unknown"})
MAX_CHOICES = 25  # Discord's limit for autocomplete answers

SETTING_LABELS = {
    "facilitator_role_id": "facilitator role",
    "alumni_role_id": "alumni role",
    "escalation_channel_id": "escalation channel",
    "log_channel_id": "moderation-log channel",
    "timezone": "timezone",
    "region": "crisis-resource region",
}


@cache
def _zones() -> tuple[str, ...]:
    # "posix/" and "right/" are duplicates some systems ship; people never mean them.
    names = (
        z
        for z in available_timezones()
        if not z.startswith(("posix/", "right/")) and z.lower() not in ODD_ZONES
    )
    return tuple(sorted(names))


@cache
def _by_lower() -> dict[str, str]:
    return {zone.lower(): zone for zone in _zones()}


def normalise_timezone(name: str) -> str | None:
    """The canonical IANA name for what a person typed, or None if there is no such zone."""
    cleaned = name.strip().replace(" ", "_")
    if cleaned.lower() in ODD_ZONES:
        return None
    canonical = _by_lower().get(cleaned.lower())
    if canonical is None:
        return None
    try:
        ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return canonical


def suggest_timezones(typed: str, limit: int = MAX_CHOICES) -> list[str]:
    """Zones matching what was typed so far: prefix matches of any part first."""
    needle = typed.strip().lower().replace(" ", "_")
    if not needle:
        common = [
            "America/New_York",
            "America/Chicago",
            "America/Denver",
            "America/Los_Angeles",
            "America/Toronto",
            "Europe/London",
            "Europe/Dublin",
            "Europe/Madrid",
            "Australia/Sydney",
            "Pacific/Auckland",
            "America/Mexico_City",
            "America/Bogota",
            "America/Argentina/Buenos_Aires",
            "America/Santiago",
            "UTC",
        ]
        return common[:limit]
    starts, contains = [], []
    for zone in _zones():
        lowered = zone.lower()
        if any(part.startswith(needle) for part in lowered.split("/")) or lowered.startswith(
            needle
        ):
            starts.append(zone)
        elif needle in lowered:
            contains.append(zone)
    return (starts + contains)[:limit]


def suggest_regions(
    typed: str, regions: dict[str, str], limit: int = MAX_CHOICES
) -> list[tuple[str, str]]:
    """(code, name) pairs whose code or name contains what was typed."""
    needle = typed.strip().lower()
    found = [
        (code, name)
        for code, name in regions.items()
        if not needle or needle in code.lower() or needle in name.lower()
    ]
    return found[:limit]


def describe_missing(missing: list[str]) -> str:
    return ", ".join(SETTING_LABELS.get(name, name) for name in missing)
