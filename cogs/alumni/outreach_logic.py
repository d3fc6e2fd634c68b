"""Pure rules for reaching out to alumni who have gone quiet (no Discord, no database).

"Gone quiet": no check-in, message or session for `quiet_days` days, counting the
graduation day itself as activity. A quiet alumnus is DM'd at most once every 30 days,
never after opting out, and not again after their DMs were found closed until they have been
active since.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_QUIET_DAYS = 14
MIN_QUIET_DAYS, MAX_QUIET_DAYS = 7, 180
DM_GAP = timedelta(days=30)


@dataclass(frozen=True)
class Alumnus:
    user_id: int
    cohort: str
    graduated_on: date
    last_checkin: date | None = None
    last_message: datetime | None = None
    last_session: datetime | None = None


@dataclass(frozen=True)
class Contact:
    """What outreach has done with a person so far."""

    last_dm_at: datetime | None = None
    opted_out_at: datetime | None = None
    dms_closed_at: datetime | None = None


NO_CONTACT = Contact()


@dataclass(frozen=True)
class Activity:
    kind: str  # "check-in", "message", "session" or "graduation"
    on: date


@dataclass(frozen=True)
class Quiet:
    person: Alumnus
    last: Activity
    contact: Contact
    dm_now: bool


def last_activity(person: Alumnus, zone: ZoneInfo) -> Activity:
    """The latest of their check-in, message, session and graduation (local days)."""
    found: list[Activity] = []
    if person.last_checkin is not None:
        found.append(Activity("check-in", person.last_checkin))
    if person.last_message is not None:
        found.append(Activity("message", person.last_message.astimezone(zone).date()))
    if person.last_session is not None:
        found.append(Activity("session", person.last_session.astimezone(zone).date()))
    found.append(Activity("graduation", person.graduated_on))  # last: on a tie, the act wins
    return max(found, key=lambda a: a.on)


def dm_due(contact: Contact, last: Activity, now: datetime, zone: ZoneInfo) -> bool:
    """Whether a quiet person may get an outreach DM now."""
    if contact.opted_out_at is not None:
        return False
    if contact.last_dm_at is not None and now - contact.last_dm_at < DM_GAP:
        return False
    # DMs closed: don't knock again on a closed door; try once more only after they were
    # active again (and went quiet again).
    return contact.dms_closed_at is None or last.on > contact.dms_closed_at.astimezone(zone).date()


def select_quiet(
    alumni: Iterable[Alumnus],
    contacts: Mapping[int, Contact],
    *,
    now: datetime,
    zone: ZoneInfo,
    quiet_days: int,
    enrolled: set[int],
    present: Callable[[int], bool],
) -> list[Quiet]:
    """Quiet alumni, the longest quiet first: graduated, not back in a cohort (`enrolled`),
    still on the server (`present`), no activity for `quiet_days` days or more."""
    today = now.astimezone(zone).date()
    latest: dict[int, Alumnus] = {}
    for person in alumni:  # someone who graduated twice counts from the latest graduation
        seen = latest.get(person.user_id)
        if seen is None or person.graduated_on > seen.graduated_on:
            latest[person.user_id] = person
    found = []
    for person in latest.values():
        if person.user_id in enrolled or not present(person.user_id):
            continue
        last = last_activity(person, zone)
        if (today - last.on).days < quiet_days:
            continue
        contact = contacts.get(person.user_id, NO_CONTACT)
        found.append(Quiet(person, last, contact, dm_due(contact, last, now, zone)))
    found.sort(key=lambda q: (q.last.on, q.person.user_id))
    return found


def status_text(contact: Contact, zone: ZoneInfo) -> str:
    """How the staff list describes what outreach did (no content, dates only)."""
    if contact.opted_out_at is not None:
        return "opted out of these messages"
    parts = []
    if contact.last_dm_at is not None:
        parts.append(f"DM'd {contact.last_dm_at.astimezone(zone):%b %d}")
    if contact.dms_closed_at is not None:
        parts.append("DMs closed")
    return ", ".join(parts) or "not DM'd yet"


def list_line(quiet: Quiet, today: date, zone: ZoneInfo) -> str:
    person, last = quiet.person, quiet.last
    days = (today - last.on).days
    seen = (
        f"nothing since graduating ({days} days)"
        if last.kind == "graduation"
        else f"last {last.kind} {last.on:%b %d} ({days} days ago)"
    )
    return (
        f"<@{person.user_id}> · {person.cohort} · graduated {person.graduated_on:%b %d, %Y} · "
        f"{seen} · {status_text(quiet.contact, zone)}"
    )
