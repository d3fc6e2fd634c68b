-- 0003: crisis alerts, their audit trail, the person-facing rate limit, false-alarm feedback,
-- per-server crisis settings and local resources.

CREATE TABLE crisis_settings (
    guild_id         INTEGER PRIMARY KEY,
    realert_minutes  INTEGER NOT NULL DEFAULT 10 CHECK (realert_minutes BETWEEN 1 AND 1440),
    updated_at       TEXT NOT NULL
);

CREATE TABLE crisis_alerts (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    user_id          INTEGER,                 -- NULL once the person's data is deleted
    level            TEXT NOT NULL CHECK (level IN ('concern', 'crisis')),
    score            REAL NOT NULL,
    status           TEXT NOT NULL DEFAULT 'open'
                     CHECK (status IN ('open', 'acknowledged', 'reached_out', 'closed',
                                       'false_alarm')),
    source           TEXT NOT NULL,           -- message, edit, dm, checkin, help_now, ...
    channel_id       INTEGER,
    message_id       INTEGER,
    jump_url         TEXT,
    excerpt          TEXT,                    -- health data: staff channel only
    reasons          TEXT NOT NULL,           -- JSON list of {rule, label, level}
    alert_channel_id INTEGER,
    alert_message_id INTEGER,
    thread_id        INTEGER,
    messages         INTEGER NOT NULL DEFAULT 1,
    realerts         INTEGER NOT NULL DEFAULT 0,
    next_realert_at  TEXT,                    -- set while a crisis alert waits for a human
    created_at       TEXT NOT NULL,
    last_message_at  TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX crisis_alerts_person ON crisis_alerts (guild_id, user_id, last_message_at);
CREATE INDEX crisis_alerts_due ON crisis_alerts (next_realert_at)
    WHERE next_realert_at IS NOT NULL;

-- The audit trail: every status change and follow-up, never edited.
CREATE TABLE crisis_alert_events (
    id        INTEGER PRIMARY KEY,
    alert_id  INTEGER NOT NULL REFERENCES crisis_alerts (id) ON DELETE CASCADE,
    action    TEXT NOT NULL,   -- raised, grouped, realerted, acknowledged, reached_out, closed,
                               -- false_alarm, person_safe, person_wants_talk
    actor_id  INTEGER,
    at        TEXT NOT NULL,
    detail    TEXT
);
CREATE INDEX crisis_alert_events_alert ON crisis_alert_events (alert_id, at);

-- When the person was last sent the private support message (at most one per 30 minutes).
CREATE TABLE crisis_outreach (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    sent_at  TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- Labelled examples for tuning the rules (/crisis export).
CREATE TABLE crisis_feedback (
    id         INTEGER PRIMARY KEY,
    alert_id   INTEGER REFERENCES crisis_alerts (id) ON DELETE SET NULL,
    guild_id   INTEGER NOT NULL,
    text       TEXT,
    detected   TEXT NOT NULL,
    label      TEXT NOT NULL CHECK (label IN ('none', 'concern', 'crisis')),
    reasons    TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE local_resources (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    contact    TEXT NOT NULL,
    hours      TEXT,
    note       TEXT,
    added_by   INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX local_resources_name ON local_resources (guild_id, name COLLATE NOCASE);
