-- 0015: custom anniversaries ("Graduated IOP", "First day back at work"), celebrated yearly.
-- `name` is the person's own words, encrypted (bot.cipher). `share`: also posted in the
-- alumni #milestones channel; otherwise only a private DM. `celebrated_year`: the last year
-- whose congratulation was queued, so each year's is sent once, also across restarts.
CREATE TABLE anniversaries (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    name            TEXT NOT NULL,
    happened_on     TEXT NOT NULL,
    share           INTEGER NOT NULL DEFAULT 0,
    celebrated_year INTEGER NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX anniversaries_person ON anniversaries (guild_id, user_id);
-- The hourly run looks anniversaries up by month and day ("MM-DD").
CREATE INDEX anniversaries_month_day ON anniversaries (guild_id, substr(happened_on, 6));
