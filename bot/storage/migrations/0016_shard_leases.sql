-- 0016: several processes share one database (issue 19).
-- Each shard is run by the process that holds its lease; a lease not renewed expires and
-- another process takes the shard over; a process coming back asks for its shards
-- (wanted_by) and the one holding them hands them back.
CREATE TABLE shard_leases (
    shard_id    INTEGER PRIMARY KEY,
    shard_count INTEGER NOT NULL,
    owner       TEXT,                        -- "<host>:<pid>:<random>" of the running process
    expires_at  REAL,                        -- seconds since the epoch, the database's clock
    wanted_by   TEXT,                        -- the process configured for it, waiting for it
    updated_at  REAL NOT NULL
);

-- An outbox row being delivered is leased to one process, so two never send it both; a
-- lease outlives a delivery attempt and is dropped when the attempt ends.
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE outbox ADD COLUMN lease_until TEXT;

-- A DM (message or button) arrives on shard 0, whichever process runs it; when the person's
-- server is served by another process, the event is handed over through this table and
-- handled there as if it had arrived there. Kept minutes at most.
CREATE TABLE gateway_handoffs (
    id          INTEGER PRIMARY KEY,
    shard_id    INTEGER NOT NULL,            -- the shard whose process must handle it
    event       TEXT NOT NULL,               -- MESSAGE_CREATE, INTERACTION_CREATE...
    payload     TEXT NOT NULL,               -- the event's data, JSON, encrypted
    created_at  TEXT NOT NULL
);
CREATE INDEX gateway_handoffs_shard ON gateway_handoffs (shard_id, id);
