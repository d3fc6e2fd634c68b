-- 0005: session series, occurrences, reminders, RSVPs and attendance.
-- Instants are ISO 8601 UTC text; each series keeps the IANA zone of its wall-clock times.

-- Reminder lead times: cohort_id 0 is the server default, others override it for a cohort.
CREATE TABLE session_settings (
    guild_id     INTEGER NOT NULL,
    cohort_id    INTEGER NOT NULL DEFAULT 0,
    lead_minutes TEXT NOT NULL,              -- '1440,60'; '' means no channel reminders
    updated_by   INTEGER NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (guild_id, cohort_id)
);

CREATE TABLE session_series (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    cohort_id        INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    kind             TEXT NOT NULL
                     CHECK (kind IN ('group', 'skills', 'individual', 'family', 'other')),
    weekdays         TEXT NOT NULL,          -- '0,2,3' (Monday = 0); '' for a one-off
    start_time       TEXT NOT NULL,          -- local wall clock 'HH:MM'
    duration_minutes INTEGER NOT NULL,
    timezone         TEXT NOT NULL,          -- IANA
    starts_on        TEXT NOT NULL,          -- local dates, inclusive
    ends_on          TEXT NOT NULL,
    location         TEXT,
    link             TEXT,
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleted')),
    planned_until    TEXT,                   -- occurrences exist for starts before this
    created_by       INTEGER NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX session_series_cohort ON session_series (cohort_id, status);

-- Occurrences exist a few weeks ahead (see planning.HORIZON). Identity: (series, planned
-- local start), so a moved or cancelled occurrence is never re-created by the planner.
CREATE TABLE session_occurrences (
    id             INTEGER PRIMARY KEY,
    series_id      INTEGER NOT NULL REFERENCES session_series (id) ON DELETE CASCADE,
    guild_id       INTEGER NOT NULL,
    cohort_id      INTEGER NOT NULL,
    original_start TEXT NOT NULL,            -- local 'YYYY-MM-DDTHH:MM:SS' as first planned
    starts_at      TEXT NOT NULL,            -- UTC, after any move
    ends_at        TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'scheduled'
                   CHECK (status IN ('scheduled', 'cancelled')),
    moved          INTEGER NOT NULL DEFAULT 0,
    note           TEXT,                     -- the facilitator's message about a change
    event_id       INTEGER,                  -- its Discord scheduled event
    event_start    TEXT,                     -- the start that event shows (spots moves)
    UNIQUE (series_id, original_start)
);
CREATE INDEX session_occurrences_cohort ON session_occurrences (cohort_id, starts_at);
CREATE INDEX session_occurrences_guild ON session_occurrences (guild_id, starts_at);

-- One row per reminder to send; the unique key makes each one happen at most once. A moved
-- session gets new rows (for_start differs); pending rows of changed sessions are replaced.
CREATE TABLE session_reminders (
    id            INTEGER PRIMARY KEY,
    occurrence_id INTEGER NOT NULL REFERENCES session_occurrences (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL DEFAULT 0, -- 0: the cohort's announcements channel
    lead_minutes  INTEGER NOT NULL,
    for_start     TEXT NOT NULL,
    due_at        TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'sent', 'skipped', 'failed')),
    done_at       TEXT,
    UNIQUE (occurrence_id, user_id, lead_minutes, for_start)
);
CREATE INDEX session_reminders_due ON session_reminders (due_at) WHERE status = 'pending';

-- A participant's own choices: display zone, DM reminders (opt-in), "we missed you" (opt-out).
CREATE TABLE session_prefs (
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    timezone     TEXT,
    dm_reminders INTEGER NOT NULL DEFAULT 0,
    dm_lead      INTEGER NOT NULL DEFAULT 60,
    missed_dm    INTEGER NOT NULL DEFAULT 1,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

CREATE TABLE session_rsvps (
    occurrence_id INTEGER NOT NULL REFERENCES session_occurrences (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL,
    answer        TEXT NOT NULL CHECK (answer IN ('yes', 'no')),
    reason        TEXT,                      -- shown to facilitators only
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (occurrence_id, user_id)
);

CREATE TABLE session_attendance (
    occurrence_id INTEGER NOT NULL REFERENCES session_occurrences (id) ON DELETE CASCADE,
    guild_id      INTEGER NOT NULL,
    cohort_id     INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('present', 'absent', 'excused')),
    marked_by     INTEGER NOT NULL,
    marked_at     TEXT NOT NULL,
    missed_dm_at  TEXT,                      -- the "we missed you" message, sent once
    PRIMARY KEY (occurrence_id, user_id)
);
CREATE INDEX session_attendance_person ON session_attendance (guild_id, user_id, status);
