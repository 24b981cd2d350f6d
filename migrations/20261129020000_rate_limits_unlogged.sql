-- Issue 8: rate-limit counters are written on every write request and every
-- search. They are not worth a WAL record and a disk flush per hit: an
-- unlogged table skips both. After a crash (or on a standby that is promoted)
-- the table starts empty, which only forgets the current windows' counts.
ALTER TABLE rate_limits SET UNLOGGED;
