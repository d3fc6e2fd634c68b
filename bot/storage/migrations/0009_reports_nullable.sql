-- 0009: a report's author and excerpt may be NULL. `/mydata delete` anonymizes the author of
-- a reported message and retention clears old excerpts; both failed on NOT NULL, so nothing
-- was deleted for anyone whose message had ever been reported. SQLite cannot relax a column
-- in place: the table is rebuilt with the same rows.
CREATE TABLE reports_new (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    reporter_id INTEGER NOT NULL,
    author_id   INTEGER,                 -- NULL once the author's data is deleted
    channel_id  INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    excerpt     TEXT,                    -- NULL once deleted or expired
    status      TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'dismissed', 'actioned', 'investigating')),
    alert_message_id INTEGER,
    handled_by  INTEGER,
    handled_at  TEXT,
    created_at  TEXT NOT NULL
);
INSERT INTO reports_new (id, guild_id, reporter_id, author_id, channel_id, message_id, excerpt,
    status, alert_message_id, handled_by, handled_at, created_at)
SELECT id, guild_id, reporter_id, author_id, channel_id, message_id, excerpt, status,
    alert_message_id, handled_by, handled_at, created_at FROM reports;
DROP TABLE reports;
ALTER TABLE reports_new RENAME TO reports;
