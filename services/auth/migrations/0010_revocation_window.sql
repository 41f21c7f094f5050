-- Where a new reader of the revocation feed starts: the oldest revocation
-- still inside the feed's window. Without it, a reader's first page (every
-- resource service's start, and every start-over after a failover) walks
-- the feed index from the first session ever revoked and still kept
-- (SESSION_RETENTION_DAYS, 30 by default) to find the few minutes it needs.
CREATE INDEX sessions_revoked_at ON sessions (revoked_at, revoked_xid) WHERE revoked_at IS NOT NULL;
