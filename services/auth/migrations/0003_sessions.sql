-- Sessions and their refresh tokens.
--
-- A login starts a session; the access tokens of that session carry its id
-- as `sid`. Its refresh tokens form one family: each rotation spends the
-- presented token (used_at, replaced_by) and inserts its child. The session
-- row is the family's lock: every rotation and every revocation of a family
-- holds it, so they are serialised.
CREATE TABLE sessions (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_used_at   timestamptz NOT NULL DEFAULT now(),
  -- Absolute end (SESSION_MAX_AGE), whatever the activity.
  expires_at     timestamptz NOT NULL,
  client_address text CHECK (char_length(client_address) <= 64),
  user_agent     text CHECK (char_length(user_agent) <= 512),
  revoked_at     timestamptz,
  revoked_reason text,
  -- The revoking transaction's id: the revocation feed's cursor. Unlike a
  -- sequence or a timestamp it cannot be skipped by a reader when
  -- transactions commit out of order (see revocation-feed.ts).
  revoked_xid    xid8,
  CONSTRAINT sessions_revoked_reason CHECK (
    revoked_reason IN (
      'logout', 'logout_all', 'ended_by_user', 'token_revoked',
      'refresh_token_reuse', 'password_changed'
    )
  ),
  CONSTRAINT sessions_revocation_complete CHECK (
    (revoked_at IS NULL) = (revoked_reason IS NULL)
    AND (revoked_at IS NULL) = (revoked_xid IS NULL)
  )
);

CREATE INDEX sessions_user_live ON sessions (user_id) WHERE revoked_at IS NULL;
CREATE INDEX sessions_revocation_feed ON sessions (revoked_xid, id) WHERE revoked_xid IS NOT NULL;

CREATE TABLE refresh_tokens (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id  uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  -- SHA-256 of the opaque token. The token is 256 random bits, so a fast
  -- hash is enough: there is nothing to brute-force.
  token_hash  bytea NOT NULL CHECK (octet_length(token_hash) = 32),
  parent_id   uuid REFERENCES refresh_tokens (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- Inactivity bound (REFRESH_TOKEN_TTL), never past the session's expires_at.
  expires_at  timestamptz NOT NULL,
  -- Spent by a rotation; replaced_by is its current child.
  used_at     timestamptz,
  replaced_by uuid REFERENCES refresh_tokens (id),
  revoked_at  timestamptz,
  CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash),
  CONSTRAINT refresh_tokens_spent_has_child CHECK ((used_at IS NULL) = (replaced_by IS NULL))
);

CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
-- The live token(s) of a family: what "is this session alive" looks for.
CREATE INDEX refresh_tokens_live ON refresh_tokens (session_id, expires_at)
  WHERE used_at IS NULL AND revoked_at IS NULL;
