-- A login beyond SESSION_MAX_PER_USER live sessions ends the user's oldest
-- (reason `session_limit`), so no account can pile up sessions without
-- bound: each one is a row to revoke and publish in the revocation feed.
--
-- NOT VALID: adding a checked constraint would hold an exclusive lock on
-- sessions (logins, refreshes, logouts) while every row is read. The new
-- list only adds a reason to the old one, which every existing row passed,
-- so there is nothing to check; new and updated rows are checked as usual.
ALTER TABLE sessions DROP CONSTRAINT sessions_revoked_reason;
ALTER TABLE sessions ADD CONSTRAINT sessions_revoked_reason CHECK (
  revoked_reason IN (
    'logout', 'logout_all', 'ended_by_user', 'token_revoked',
    'refresh_token_reuse', 'password_changed',
    'user_disabled', 'role_changed', 'ended_by_admin',
    'session_limit'
  )
) NOT VALID;
