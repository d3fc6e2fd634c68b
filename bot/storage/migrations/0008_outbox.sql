-- 0008: the outbox: every message that must reach someone (crisis alerts and their repeats,
-- the support DM, report notices, check-in prompts, session reminders, notices) is a row
-- here, written in the same transaction as the fact it announces, then delivered (and
-- retried) by one worker. A crash at any point leaves the row pending; start-up resumes it.
-- Screening marks: the last message screened in each watched channel, so messages posted
-- while Lantern was offline are screened when it comes back.

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,           -- crisis_alert, crisis_realert, checkin_prompt...
    guild_id        INTEGER,
    subject_id      INTEGER NOT NULL,        -- the feature's row it is about (alert, prompt...)
    dedupe_key      TEXT NOT NULL UNIQUE,    -- one delivery per fact
    payload         TEXT,                    -- JSON, encrypted; cleared once done
    priority        INTEGER NOT NULL,        -- 0 safety first, then people, then the rest
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,                    -- "503", "50013 Missing Permissions"; never content
    incident        TEXT,                    -- incident id of the last ERROR logged for it
    landed          TEXT,                    -- where it went: escalation, log, dm, owner, ...
    channel_id      INTEGER,
    message_id      INTEGER,
    created_at      TEXT NOT NULL,
    done_at         TEXT
);
CREATE INDEX outbox_queue ON outbox (priority, next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_subject ON outbox (kind, subject_id);

CREATE TABLE screen_marks (
    channel_id  INTEGER PRIMARY KEY,
    guild_id    INTEGER,                     -- NULL for a DM channel
    user_id     INTEGER,                     -- a DM channel's person
    message_id  INTEGER NOT NULL,            -- the newest message screened (or older)
    updated_at  TEXT NOT NULL
);

-- Messages that raised or joined an alert (ids only), so a message screened again after a
-- crash (catch-up reads from a mark that may lag) never alerts twice. Kept two days.
CREATE TABLE crisis_screened (
    message_key TEXT PRIMARY KEY,            -- "<message id>" or "<message id>:<edited at>"
    at          TEXT NOT NULL
);

-- Where each crisis alert landed when its escalation channel failed (audit and /crisis log).
ALTER TABLE crisis_alerts ADD COLUMN landed TEXT;
-- Set when the alert was raised from a message posted while Lantern was offline.
ALTER TABLE crisis_alerts ADD COLUMN sent_offline_at TEXT;
CREATE INDEX crisis_alerts_message ON crisis_alerts (alert_message_id)
    WHERE alert_message_id IS NOT NULL;
