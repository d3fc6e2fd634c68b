-- 0004: daily check-ins, prompt schedules and assessments.
-- Times are UTC ISO strings; a local rule keeps its wall-clock time and IANA zone beside it.

-- Whether and when someone is asked (one row per person per server).
CREATE TABLE checkin_settings (
    id             INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    user_id        INTEGER NOT NULL,
    enabled        INTEGER NOT NULL DEFAULT 1,
    cadence        TEXT NOT NULL DEFAULT 'daily' CHECK (cadence IN ('daily', 'weekly')),
    local_time     TEXT NOT NULL,                 -- HH:MM on the wall clock of `timezone`
    timezone       TEXT NOT NULL,                 -- IANA zone, e.g. America/Chicago
    days           TEXT NOT NULL,                 -- weekdays asked, Monday = 0: '0123456'
    nudge          INTEGER NOT NULL DEFAULT 0,    -- one gentle reminder if unanswered
    last_due_at    TEXT,                          -- latest occurrence already handled
    dm_channel_id  INTEGER,                       -- saves a request per prompt
    dm_closed_at   TEXT,                          -- last prompt refused (403): facilitators see it
    stopped_reason TEXT,                          -- opted out, removed, graduated
    updated_at     TEXT NOT NULL,
    UNIQUE (guild_id, user_id)
);
CREATE INDEX checkin_settings_enabled ON checkin_settings (enabled);

-- Every prompt sent (scheduled or `/checkin now`) with the answers given so far.
CREATE TABLE checkin_prompts (
    id           INTEGER PRIMARY KEY,
    settings_id  INTEGER REFERENCES checkin_settings (id) ON DELETE CASCADE,
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('scheduled', 'now')),
    due_at       TEXT NOT NULL,
    local_day    TEXT NOT NULL,                   -- the person's day this check-in counts for
    status       TEXT NOT NULL CHECK (status IN
                 ('queued', 'sent', 'answered', 'expired', 'failed', 'missed', 'discarded')),
    channel_id   INTEGER,
    message_id   INTEGER,
    sent_at      TEXT,
    nudge_at     TEXT,
    nudged_at    TEXT,
    mood         INTEGER CHECK (mood BETWEEN 1 AND 5),
    cravings     INTEGER CHECK (cravings BETWEEN 0 AND 10),
    sleep_hours  INTEGER CHECK (sleep_hours BETWEEN 0 AND 24),
    used         TEXT CHECK (used IN ('yes', 'no', 'skip')),
    note         TEXT,
    share        INTEGER NOT NULL DEFAULT 0,
    share_note   INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL
);
-- A scheduled occurrence is prompted once, whatever restarts happen around it.
CREATE UNIQUE INDEX checkin_prompts_once ON checkin_prompts (settings_id, due_at)
    WHERE settings_id IS NOT NULL;
CREATE INDEX checkin_prompts_person ON checkin_prompts (guild_id, user_id, status);
CREATE INDEX checkin_prompts_status ON checkin_prompts (status);

-- The check-in that counts: one per person per local day (a second replaces the first).
CREATE TABLE checkins (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    cohort_id   INTEGER,
    local_day   TEXT NOT NULL,
    mood        INTEGER NOT NULL CHECK (mood BETWEEN 1 AND 5),
    cravings    INTEGER CHECK (cravings BETWEEN 0 AND 10),
    sleep_hours INTEGER CHECK (sleep_hours BETWEEN 0 AND 24),
    used        TEXT CHECK (used IN ('yes', 'no', 'skip')),
    note        TEXT,
    shared      INTEGER NOT NULL DEFAULT 0,
    prompt_id   INTEGER,
    created_at  TEXT NOT NULL,
    UNIQUE (guild_id, user_id, local_day)
);
CREATE INDEX checkins_cohort ON checkins (cohort_id, local_day);

-- Weekly PHQ-9 / GAD-7, answered one item at a time (answers: comma-separated 0-3).
CREATE TABLE assessments (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    cohort_id    INTEGER,
    instrument   TEXT NOT NULL CHECK (instrument IN ('phq9', 'gad7')),
    answers      TEXT NOT NULL DEFAULT '',
    score        INTEGER,
    band         TEXT,
    started_at   TEXT NOT NULL,
    completed_at TEXT
);
CREATE INDEX assessments_person ON assessments (guild_id, user_id, instrument, completed_at);

-- Facilitator choices per cohort.
CREATE TABLE checkin_cohort_options (
    cohort_id   INTEGER PRIMARY KEY,
    assessments INTEGER NOT NULL DEFAULT 0,
    updated_by  INTEGER NOT NULL,
    updated_at  TEXT NOT NULL
);

-- The facilitators' daily digest: its local time per server, and the last day posted.
CREATE TABLE checkin_digests (
    guild_id   INTEGER PRIMARY KEY,
    local_time TEXT NOT NULL,
    last_day   TEXT,
    updated_at TEXT NOT NULL
);
