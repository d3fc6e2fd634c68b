-- 0007: privacy: per-server retention and leaver grace period, the deletion schedule for
-- members who left, and anonymous tokens for crisis-alert audit rows whose person was deleted.

CREATE TABLE privacy_settings (
    guild_id     INTEGER PRIMARY KEY,
    grace_days   INTEGER NOT NULL DEFAULT 30 CHECK (grace_days BETWEEN 0 AND 3650),
    notes_days   INTEGER NOT NULL DEFAULT 365 CHECK (notes_days BETWEEN 1 AND 3650),
    excerpt_days INTEGER NOT NULL DEFAULT 90 CHECK (excerpt_days BETWEEN 1 AND 3650),
    updated_at   TEXT NOT NULL
);

-- Members who left: their data is deleted after the grace period unless they come back.
CREATE TABLE departures (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    left_at  TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

ALTER TABLE crisis_alerts ADD COLUMN anonymous_id TEXT;
