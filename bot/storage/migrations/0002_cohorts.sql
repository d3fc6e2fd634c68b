-- 0002: cohorts, enrolment with consent, the group agreement, alumni space, milestones,
-- moderation records and message reports.

CREATE TABLE cohorts (
    id                       INTEGER PRIMARY KEY,
    guild_id                 INTEGER NOT NULL,
    name                     TEXT NOT NULL,
    starts_on                TEXT NOT NULL,           -- ISO date
    ends_on                  TEXT NOT NULL,
    capacity                 INTEGER NOT NULL,
    status                   TEXT NOT NULL DEFAULT 'active'
                             CHECK (status IN ('active', 'archived', 'deleted')),
    role_id                  INTEGER,
    history_role_id          INTEGER,               -- read-only access kept after graduation
    category_id              INTEGER,
    announcements_channel_id INTEGER,
    group_channel_id         INTEGER,
    checkins_channel_id      INTEGER,
    voice_channel_id         INTEGER,
    created_by               INTEGER NOT NULL,
    created_at               TEXT NOT NULL,
    archived_at              TEXT
);
-- Names are unique among a server's cohorts that still exist on Discord.
CREATE UNIQUE INDEX cohorts_guild_name ON cohorts (guild_id, name COLLATE NOCASE)
    WHERE status != 'deleted';

-- Versioned group agreement per server; version 0 is the built-in text (not stored).
CREATE TABLE agreements (
    guild_id   INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    text       TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, version)
);

CREATE TABLE enrollments (
    id                INTEGER PRIMARY KEY,
    cohort_id         INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    guild_id          INTEGER NOT NULL,
    user_id           INTEGER NOT NULL,
    status            TEXT NOT NULL
                      CHECK (status IN ('pending_consent', 'active', 'removed', 'graduated')),
    enrolled_by       INTEGER NOT NULL,
    enrolled_at       TEXT NOT NULL,
    agreement_version INTEGER,                  -- the version consented to
    consented_at      TEXT,
    consent_channel   TEXT,                     -- 'dm' or 'thread'
    consent_thread_id INTEGER,
    ended_at          TEXT,
    ended_by          INTEGER,
    end_reason        TEXT,
    keeps_history     INTEGER NOT NULL DEFAULT 0
);
-- One open (pending or active) enrolment per person per server.
CREATE UNIQUE INDEX enrollments_one_open ON enrollments (guild_id, user_id)
    WHERE status IN ('pending_consent', 'active');
CREATE INDEX enrollments_cohort ON enrollments (cohort_id, status);

CREATE TABLE alumni_spaces (
    guild_id              INTEGER PRIMARY KEY,
    category_id           INTEGER NOT NULL,
    lounge_channel_id     INTEGER NOT NULL,
    milestones_channel_id INTEGER NOT NULL,
    ask_channel_id        INTEGER NOT NULL,
    created_at            TEXT NOT NULL
);

CREATE TABLE graduations (
    guild_id      INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    cohort_id     INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    graduated_on  TEXT NOT NULL,
    graduated_by  INTEGER NOT NULL,
    congratulate  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, user_id, cohort_id)
);

-- Opt-in recovery start dates; announced milestones are kept so each is posted once.
CREATE TABLE milestones (
    guild_id       INTEGER NOT NULL,
    user_id        INTEGER NOT NULL,
    recovery_start TEXT NOT NULL,
    opted_in_at    TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
CREATE TABLE milestone_announcements (
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    milestone    TEXT NOT NULL,
    announced_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id, milestone)
);

CREATE TABLE mod_actions (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    actor_id   INTEGER NOT NULL,
    target_id  INTEGER,
    action     TEXT NOT NULL,   -- timeout, untimeout, purge, delete_message, remove, ...
    reason     TEXT,
    channel_id INTEGER,
    detail     TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX mod_actions_target ON mod_actions (guild_id, target_id, created_at);

CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    reporter_id INTEGER NOT NULL,
    author_id   INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    excerpt     TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'dismissed', 'actioned', 'investigating')),
    alert_message_id INTEGER,
    handled_by  INTEGER,
    handled_at  TEXT,
    created_at  TEXT NOT NULL
);
