-- A login beyond SESSION_MAX_PER_USER live sessions ends the user's oldest
-- (reason `session_limit`), so no account can pile up sessions without
-- bound: each one is a row to revoke and publish in the revocation feed.
ALTER TABLE sessions DROP CONSTRAINT sessions_revoked_reason;
ALTER TABLE sessions ADD CONSTRAINT sessions_revoked_reason CHECK (
  revoked_reason IN (
    'logout', 'logout_all', 'ended_by_user', 'token_revoked',
    'refresh_token_reuse', 'password_changed',
    'user_disabled', 'role_changed', 'ended_by_admin',
    'session_limit'
  )
);
