-- 0010: which part of the detector decided each alert (rules, the model, or the person's
-- recent messages read together), with the rule ids and the model's scores, as JSON. Copied
-- into feedback so `/crisis export` gives labelled examples for the next training round.
ALTER TABLE crisis_alerts ADD COLUMN detection TEXT;
ALTER TABLE crisis_feedback ADD COLUMN detection TEXT;
