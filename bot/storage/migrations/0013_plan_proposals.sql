-- 0013: suggestions for a person's safety plan made by a facilitator in a private
-- conversation ("Work on the safety plan together"). Nothing reaches the plan until the
-- person chooses "Use this". `proposed` (the suggested text; for `people` a JSON list of
-- {"name", "reach"}) and `base` (what that part said when it was suggested, so a suggestion
-- made against older words is refused) are health data, encrypted like the plan, and cleared
-- once the person has answered. `proposed_by` is NULL once that facilitator's data is deleted.
CREATE TABLE plan_proposals (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,          -- whose plan
    conversation_id INTEGER NOT NULL,
    proposed_by     INTEGER,
    part            TEXT NOT NULL,
    proposed        TEXT,
    base            TEXT,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'accepted', 'declined', 'changed', 'closed')),
    channel_id      INTEGER,
    message_id      INTEGER,
    created_at      TEXT NOT NULL,
    decided_at      TEXT
);
CREATE INDEX plan_proposals_person ON plan_proposals (guild_id, user_id);
