-- 0006: support between sessions: safety plans, private conversations with facilitators
-- (with their audit trail and internal notes), staffed hours and talk settings.
-- Everything personal is keyed by (guild_id, user_id) so one person's data can be exported
-- or deleted (cogs/support/store.py). Times are UTC ISO strings.

-- One safety plan per person per server (Stanley-Brown structure). Every part is optional;
-- `people` is a JSON list of {"name", "reach"}. Health data: shown only to the person, and
-- to facilitators while `shared` is 1.
CREATE TABLE safety_plans (
    guild_id           INTEGER NOT NULL,
    user_id            INTEGER NOT NULL,
    warning_signs      TEXT,
    coping_alone       TEXT,
    distractions       TEXT,
    people             TEXT,
    professionals      TEXT,
    safer_surroundings TEXT,
    reasons            TEXT,
    shared             INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
    shared_at          TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- Per-server settings for /talk: how long a conversation may wait for a facilitator's reply
-- before it is announced again, and the channel whose private threads hold conversations.
CREATE TABLE talk_settings (
    guild_id           INTEGER PRIMARY KEY,
    reannounce_minutes INTEGER NOT NULL DEFAULT 15 CHECK (reannounce_minutes BETWEEN 1 AND 1440),
    channel_id         INTEGER,
    updated_at         TEXT NOT NULL
);

-- Staffed hours: weekly windows on the wall clock of `timezone` (the server's zone when they
-- were saved), Monday = 0. A window never crosses midnight: 22:00-02:00 is stored as two.
CREATE TABLE staffed_hours (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    timezone     TEXT NOT NULL,
    CHECK (end_minute > start_minute)
);
CREATE INDEX staffed_hours_guild ON staffed_hours (guild_id);

-- A private conversation between one person and the facilitators. The messages themselves
-- live only in the private thread (or channel) on Discord; here is what is needed to run it.
CREATE TABLE conversations (
    id                 INTEGER PRIMARY KEY,
    guild_id           INTEGER NOT NULL,
    user_id            INTEGER NOT NULL,
    topic              TEXT NOT NULL CHECK (topic IN ('hard', 'program', 'someone', 'other')),
    origin             TEXT NOT NULL,            -- command, crisis, help_now
    alert_id           INTEGER,                  -- the crisis alert it came from, if any
    status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    space_kind         TEXT CHECK (space_kind IN ('thread', 'channel')),
    space_id           INTEGER,
    notice_channel_id  INTEGER,                  -- the staff notification
    notice_message_id  INTEGER,
    out_of_hours       INTEGER NOT NULL DEFAULT 0,
    claimed_by         INTEGER,
    claimed_at         TEXT,
    first_reply_at     TEXT,
    waiting_since      TEXT,                     -- the person is waiting for a reply since
    next_reannounce_at TEXT,                     -- set while waiting: the re-announcement due
    reannounces        INTEGER NOT NULL DEFAULT 0,
    closed_by          INTEGER,
    closed_at          TEXT,
    close_reason       TEXT,
    opened_at          TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
-- One open conversation per person per server: a second /talk adds to it.
CREATE UNIQUE INDEX conversations_one_open ON conversations (guild_id, user_id)
    WHERE status = 'open';
CREATE INDEX conversations_person ON conversations (guild_id, user_id, opened_at);
CREATE INDEX conversations_space ON conversations (space_id);
CREATE INDEX conversations_due ON conversations (next_reannounce_at)
    WHERE next_reannounce_at IS NOT NULL;

-- The audit trail: opened, claimed, note (detail = the note: facilitators only), replied,
-- reannounced, closed (detail = reason), person_left, added. Never edited.
CREATE TABLE conversation_events (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    action          TEXT NOT NULL,
    actor_id        INTEGER,
    at              TEXT NOT NULL,
    detail          TEXT
);
CREATE INDEX conversation_events_conversation ON conversation_events (conversation_id, at);
