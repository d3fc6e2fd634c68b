-- 0013: a placeholder in branch h3-plan-coedit only, so 0014 applies here (numbers have no
-- gaps). Branch h2-outreach's 0013_alumni_outreach.sql takes this number: drop this file
-- when both are merged.
SELECT 1;
