-- 0009 on PostgreSQL: a report's author and excerpt may be NULL (see 0009_reports_nullable.sql,
-- which rebuilds the table because SQLite can't relax a column in place; PostgreSQL can).
ALTER TABLE reports ALTER COLUMN author_id DROP NOT NULL;
ALTER TABLE reports ALTER COLUMN excerpt DROP NOT NULL;
