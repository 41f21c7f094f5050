-- Rate-limit counters (failed logins, registrations), shared by every
-- replica. The layout is rate-limiter-flexible's RateLimiterPostgres table,
-- column for column (it inserts (key, points, expire) by position and
-- upserts on key); it is created here so the service never runs DDL at
-- runtime. Keys are HMACs: no username or client address is stored in clear.
CREATE TABLE rate_limits (
  key    varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  -- Epoch milliseconds after which the row no longer counts; expired rows are pruned.
  expire bigint
);

CREATE INDEX rate_limits_expire ON rate_limits (expire);
