"""The catalogue of personal data: every table column that identifies a person, what
`/mydata export` and `/mydata delete` do with it, which columns are encrypted at rest, and
which free text is purged after the server's retention period.

One declarative list, so a new feature's table is covered by adding a line here; a test
fails if a table with a person column is in neither the catalogue nor `NOT_PERSONAL`.
What is done with it (export, delete, encrypt, purge) is in personal_data.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Action = Literal["delete", "anonymize"]


@dataclass(frozen=True)
class PersonalRows:
    """Rows of `table` that belong to a person through `column`."""

    table: str
    column: str
    what: str
    """How a person reads it: "your check-ins", "reports you made"..."""
    action: Action = "delete"
    scrub: tuple[str, ...] = ()
    """anonymize: columns set to NULL (free text, the person's words)."""
    token_column: str | None = None
    """anonymize: column that receives the anonymous token instead of the person's id."""
    scope: str = "guild_id = :guild"
    """SQL limiting the rows to one server (tables without guild_id join through a parent)."""
    export: bool = True
    where: str | None = None
    """Instead of `column = :user AND scope`, for rows reached through a parent table."""

    def condition(self) -> str:
        return self.where or f"{self.column} = :user AND {self.scope}"


@dataclass(frozen=True)
class Retention:
    table: str
    columns: tuple[str, ...]
    timestamp: str
    setting: Literal["notes_days", "excerpt_days"]


@dataclass
class Catalogue:
    rows: list[PersonalRows] = field(default_factory=list)
    encrypted: list[tuple[str, str]] = field(default_factory=list)
    retention: list[Retention] = field(default_factory=list)


CATALOGUE = Catalogue(
    rows=[
        PersonalRows("enrollments", "user_id", "your cohort enrolments and consents"),
        PersonalRows("graduations", "user_id", "your graduations"),
        PersonalRows("cohort_team", "user_id", "the care teams you are on (as a facilitator)"),
        PersonalRows("milestones", "user_id", "your recovery start date"),
        PersonalRows("milestone_announcements", "user_id", "milestones announced for you"),
        PersonalRows("anniversaries", "user_id", "your anniversaries (names, dates, sharing)"),
        PersonalRows("alumni_last_message", "user_id", "when you last wrote here (a time only)"),
        PersonalRows("alumni_outreach", "user_id", "outreach DMs to you as an alum (dates)"),
        PersonalRows("reports", "reporter_id", "messages you reported"),
        PersonalRows(
            "reports",
            "author_id",
            "reports about your messages",
            action="anonymize",
            scrub=("excerpt", "author_id"),
        ),
        PersonalRows(
            "mod_actions",
            "target_id",
            "moderation actions about you",
            action="anonymize",
            scrub=("target_id",),
        ),
        PersonalRows(
            "crisis_alerts",
            "user_id",
            "crisis alerts about you (their times and outcomes are kept, without your id or words)",
            action="anonymize",
            scrub=("excerpt", "jump_url", "user_id"),
            token_column="anonymous_id",  # noqa: S106 (a column name, not a password)
        ),
        PersonalRows(
            "crisis_alert_events",
            "actor_id",
            "your answers to crisis messages",
            action="anonymize",
            scrub=("actor_id", "detail"),
            scope="alert_id IN (SELECT id FROM crisis_alerts WHERE guild_id = :guild)",
        ),
        PersonalRows("crisis_outreach", "user_id", "when you were last sent crisis lines"),
        PersonalRows(
            "screen_marks",
            "user_id",
            "how far Lantern has read your DMs for safety (a message id)",
            scope="guild_id IS NULL",
            export=False,
        ),
        PersonalRows("session_prefs", "user_id", "your session choices (timezone, DM reminders)"),
        PersonalRows("session_attendance", "user_id", "your attendance marks"),
        PersonalRows(
            "session_rsvps",
            "user_id",
            "your RSVPs and reasons",
            scope="occurrence_id IN (SELECT id FROM session_occurrences WHERE guild_id = :guild)",
        ),
        PersonalRows(
            "session_reminders",
            "user_id",
            "DM reminders planned for you",
            export=False,
            scope="occurrence_id IN (SELECT id FROM session_occurrences WHERE guild_id = :guild)",
        ),
        PersonalRows("checkin_settings", "user_id", "your check-in schedule"),
        PersonalRows(
            "checkin_prompts", "user_id", "check-in prompts sent to you, with unsaved answers"
        ),
        PersonalRows("checkins", "user_id", "your check-ins (mood, cravings, sleep, use, notes)"),
        PersonalRows("assessments", "user_id", "your PHQ-9 and GAD-7 answers and scores"),
        PersonalRows("safety_plans", "user_id", "your safety plan"),
        PersonalRows(
            "plan_proposals", "user_id", "suggestions for your safety plan from a conversation"
        ),
        PersonalRows(
            "plan_proposals",
            "proposed_by",
            "suggestions you made for others' safety plans",
            action="anonymize",
            scrub=("proposed_by",),
            export=False,
        ),
        # Events before their conversations: deleting a conversation hides its events.
        PersonalRows(
            "conversation_events",
            "conversation_id",
            "the history and notes of your conversations",
            where="conversation_id IN (SELECT id FROM conversations WHERE guild_id = :guild "
            "AND user_id = :user)",
        ),
        PersonalRows(
            "conversation_events",
            "actor_id",
            "your actions in other conversations",
            action="anonymize",
            scrub=("actor_id",),
            scope="conversation_id IN (SELECT id FROM conversations WHERE guild_id = :guild)",
        ),
        PersonalRows(
            "conversations",
            "user_id",
            "your conversations with facilitators (topic, times, outcome)",
        ),
    ],
    encrypted=[
        ("crisis_alerts", "excerpt"),
        ("crisis_feedback", "text"),
        ("reports", "excerpt"),
        *(
            ("safety_plans", part)
            for part in (
                "warning_signs",
                "coping_alone",
                "distractions",
                "people",
                "professionals",
                "safer_surroundings",
                "reasons",
            )
        ),
        ("conversation_events", "detail"),
        ("plan_proposals", "proposed"),
        ("plan_proposals", "base"),
        ("anniversaries", "name"),
        ("checkins", "note"),
        ("checkin_prompts", "note"),
        ("session_rsvps", "reason"),
        ("conversations", "close_reason"),
        ("mod_actions", "reason"),
    ],
    retention=[
        Retention("crisis_alerts", ("excerpt",), "created_at", "excerpt_days"),
        Retention("crisis_feedback", ("text",), "created_at", "excerpt_days"),
        Retention("reports", ("excerpt",), "created_at", "excerpt_days"),
        Retention("checkins", ("note",), "created_at", "notes_days"),
        Retention("checkin_prompts", ("note",), "created_at", "notes_days"),
    ],
)

# Tables (or table.column) naming a person that are not that person's data, and why.
NOT_PERSONAL: dict[str, str] = {
    "guild_config": "server settings",
    "cohorts": "created_by is the facilitator who made it (staff record)",
    "agreements": "created_by is the facilitator who wrote it (staff record)",
    "crisis_feedback": "labelled rule examples; the text is scrubbed with the alert",
    "local_resources": "added_by is a facilitator (staff record)",
    "crisis_settings": "server settings",
    "privacy_settings": "server settings",
    "departures": "the deletion schedule itself; removed when the data is deleted",
    "mod_actions.actor_id": "the facilitator who acted (staff record)",
}


# Every TEXT column is either encrypted (CATALOGUE.encrypted) or named here with why it is not
# free text about a person; a test fails on a new TEXT column that is neither. Columns named
# like times (`*_at`, `*_on`, `at`) hold ISO dates and need no entry.
NOT_FREE_TEXT: dict[str, str] = {
    "schema_version.name": "migration names",
    "guild_config.*": "server settings (zone, region)",
    "app_state.*": "Lantern's own bookkeeping (keys and ids)",
    "shard_leases.*": "which process runs which shard (process names, times)",
    "outbox.lease_owner": "the name of the process delivering a row",
    "gateway_handoffs.event": "an enum (the gateway event's name)",
    "gateway_handoffs.payload": "encrypted by bot/handoff.py; deleted once handled (minutes)",
    "gateway_handoffs.created_at": "a time",
    "outbox.lease_until": "a time",
    "cohorts.name": "chosen by staff, shown on the server as a channel name",
    "cohorts.status": "an enum",
    "agreements.text": "the group agreement staff wrote, shown to everyone who enrols",
    "enrollments.status": "an enum",
    "enrollments.consent_channel": "'dm' or 'thread'",
    "enrollments.end_reason": "a fixed label Lantern writes (graduated, removed, left)",
    "milestones.recovery_start": "a date",
    "milestone_announcements.milestone": "a fixed label (30d, 1y...)",
    "mod_actions.action": "an enum",
    "mod_actions.detail": "a number or a time Lantern writes",
    "crisis_alerts.level": "an enum",
    "crisis_alerts.status": "an enum",
    "crisis_alerts.source": "an enum (message, dm, checkin...)",
    "crisis_alerts.jump_url": "a link (ids only), scrubbed with the person's data",
    "crisis_alerts.reasons": "the detector's rule labels (JSON), never the person's words",
    "crisis_alerts.anonymous_id": "a random token",
    "crisis_alerts.landed": "an enum",
    "crisis_alerts.detection": "what decided (rules, model, context): rule ids and scores (JSON)",
    "crisis_alert_events.action": "an enum",
    "crisis_alert_events.detail": "fixed labels Lantern writes; scrubbed with the actor",
    "crisis_feedback.detected": "an enum",
    "crisis_feedback.label": "an enum",
    "crisis_feedback.reasons": "rule labels (JSON)",
    "crisis_feedback.detection": "what decided: rule ids and model scores (JSON)",
    "local_resources.*": "public crisis lines staff add for everyone",
    "checkin_settings.*": "a schedule (cadence, time, zone, weekdays) and a fixed stop label",
    "checkin_prompts.kind": "an enum",
    "checkin_prompts.local_day": "a date",
    "checkin_prompts.status": "an enum",
    "checkin_prompts.used": "yes/no",
    "checkins.local_day": "a date",
    "checkins.used": "yes/no",
    "assessments.instrument": "PHQ-9 or GAD-7",
    "assessments.answers": "item scores (digits), no free text",
    "assessments.band": "a fixed severity label",
    "session_settings.lead_minutes": "numbers",
    "session_series.*": "a schedule staff set for a cohort (title, days, place, link)",
    "session_occurrences.status": "an enum",
    "session_occurrences.note": "staff's public message to the cohort about a change",
    "session_reminders.status": "an enum",
    "session_prefs.timezone": "a zone",
    "session_rsvps.answer": "yes/no",
    "session_attendance.status": "an enum",
    "staffed_hours.timezone": "a zone",
    "conversations.topic": "an enum",
    "conversations.origin": "an enum",
    "conversations.status": "an enum",
    "conversations.space_kind": "an enum",
    "conversation_events.action": "an enum",
    "plan_proposals.part": "an enum (a part of the safety plan)",
    "plan_proposals.status": "an enum",
    "outbox.kind": "an enum",
    "outbox.dedupe_key": "ids",
    "outbox.payload": "encrypted by the outbox itself (bot/outbox/store.py)",
    "outbox.status": "an enum",
    "outbox.last_error": "Discord's error code and status, never message text",
    "outbox.incident": "an incident id",
    "outbox.landed": "an enum",
    "crisis_screened.message_key": "ids",
    "checkin_digests.*": "a cohort's digest time and last day",
    "session_occurrences.original_start": "a time",
    "session_occurrences.event_start": "a time",
    "session_reminders.for_start": "a time",
    "conversations.waiting_since": "a time",
    "reports.status": "an enum",
}


def is_time_column(column: str) -> bool:
    return column == "at" or column.endswith(("_at", "_on"))
