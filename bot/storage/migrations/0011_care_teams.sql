-- 0011: care teams. A cohort's own facilitators, named person by person or as a role; they
-- see only their cohorts' people. The server-wide facilitator role is "program staff", who
-- see every cohort (as before).
CREATE TABLE cohort_team (
    id         INTEGER PRIMARY KEY,
    cohort_id  INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER,
    role_id    INTEGER,
    added_by   INTEGER NOT NULL,
    added_at   TEXT NOT NULL,
    CHECK ((user_id IS NULL) <> (role_id IS NULL))
);
CREATE UNIQUE INDEX cohort_team_person ON cohort_team (cohort_id, user_id)
    WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX cohort_team_role ON cohort_team (cohort_id, role_id)
    WHERE role_id IS NOT NULL;
CREATE INDEX cohort_team_guild ON cohort_team (guild_id);
-- Where a cohort's team is asked and alerted (`/cohort team channel`); NULL: the staff channels.
ALTER TABLE cohorts ADD COLUMN team_channel_id INTEGER;
