-- 0012: an alert that went to a cohort's care team is escalated to program staff (the
-- escalation channel, pinging the facilitator role) once it has waited this long unacknowledged.
ALTER TABLE crisis_settings ADD COLUMN escalate_after_minutes INTEGER NOT NULL DEFAULT 10
    CHECK (escalate_after_minutes BETWEEN 1 AND 1440);
