"""How Lantern points people to real help. Every safety-related message uses these, so
the wording stays consistent: Lantern is never presented as an emergency service."""

from __future__ import annotations

from config.resources import CrisisResource, Region


def resource_line(resource: CrisisResource) -> str:
    ways = []
    if resource.call:
        ways.append(f"call **{resource.call}**")
    if resource.text:
        keyword = f" ({resource.text_keyword})" if resource.text_keyword else ""
        ways.append(f"text **{resource.text}**{keyword}")
    if resource.chat:
        ways.append(f"chat {resource.chat}")
    hours = f" · {resource.hours}" if resource.hours else ""
    return f"• {resource.name}: {', '.join(ways)}{hours}"


def crisis_lines(region: Region, limit: int = 4) -> str:
    lines = [resource_line(r) for r in region.resources[:limit]]
    lines.append(f"• Emergency: call **{region.emergency}**")
    return "\n".join(lines)


def not_an_emergency_service(region: Region) -> str:
    return (
        "Lantern is not an emergency service and nobody watches it around the clock. "
        f"If you are in danger, call **{region.emergency}** or one of these lines now:\n"
        + crisis_lines(region)
    )
