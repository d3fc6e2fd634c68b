-- 0014: aftercare for alumni. A graduate who has gone quiet (no check-in, message or
-- session for N days) gets one warm DM at most every 30 days, and appears on the program
-- staff's weekly "alumni to reach out to" list. Times only: never what anyone wrote.

-- Per server: N, and the local days already claimed by the daily run and the weekly list
-- (claimed before anything is sent, so a restart or a late run never sends twice).
CREATE TABLE alumni_outreach_settings (
    guild_id     INTEGER PRIMARY KEY,
    quiet_days   INTEGER NOT NULL DEFAULT 14,
    last_run_on  TEXT,
    last_list_on TEXT,
    updated_by   INTEGER,
    updated_at   TEXT
);

-- When each alumnus last wrote in the server (flushed from memory every few minutes).
CREATE TABLE alumni_last_message (
    guild_id        INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    last_message_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- Per person: the last outreach DM, their opt-out, and whether their DMs were closed.
CREATE TABLE alumni_outreach (
    guild_id      INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    last_dm_at    TEXT,
    opted_out_at  TEXT,
    dms_closed_at TEXT,
    PRIMARY KEY (guild_id, user_id)
);
