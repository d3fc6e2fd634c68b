-- 0001: per-server configuration and the bot's own key/value state.
-- guild_config holds what /setup server sets; a server is "configured" once every
-- required column is filled (see GuildConfig.missing()).
CREATE TABLE guild_config (
    guild_id              INTEGER PRIMARY KEY,
    facilitator_role_id   INTEGER,
    alumni_role_id        INTEGER,
    escalation_channel_id INTEGER,
    log_channel_id        INTEGER,
    staff_category_id     INTEGER,
    timezone              TEXT,
    region                TEXT,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);

-- Small facts the bot keeps about itself, e.g. the hash of the last synced command tree.
CREATE TABLE app_state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
