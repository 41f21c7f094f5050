-- Roles, disabled accounts, and the audit trail.

-- Roles as a set on the user row: a role change is one UPDATE under the row
-- lock, which also serialises it against a login of the same user. Every
-- account holds `user`; `admin` is granted by auth-admin or another admin.
ALTER TABLE users
  ADD COLUMN roles       text[] NOT NULL DEFAULT ARRAY['user']::text[],
  -- Set while an administrator has disabled the account: logins are refused
  -- and, in the same transaction that set it, every session was ended.
  ADD COLUMN disabled_at timestamptz,
  ADD CONSTRAINT users_roles_known CHECK (roles <@ ARRAY['user', 'admin']::text[]),
  ADD CONSTRAINT users_roles_base CHECK ('user' = ANY (roles));

-- "Is anyone else still an enabled admin?" is asked on every demotion.
CREATE INDEX users_admins ON users (id) WHERE 'admin' = ANY (roles) AND disabled_at IS NULL;

-- Sessions can now also end because the account was disabled, a privileged
-- role was revoked, or an administrator ended them.
ALTER TABLE sessions DROP CONSTRAINT sessions_revoked_reason;
ALTER TABLE sessions ADD CONSTRAINT sessions_revoked_reason CHECK (
  revoked_reason IN (
    'logout', 'logout_all', 'ended_by_user', 'token_revoked',
    'refresh_token_reuse', 'password_changed',
    'user_disabled', 'role_changed', 'ended_by_admin'
  )
);

-- Security-relevant events, append-only. Written in the transaction of the
-- change they record, where there is one, so an event exists exactly when
-- its change does. No foreign keys: the trail must outlive what it names.
-- Never a secret here: no password, token, hash or key material.
CREATE TABLE audit_events (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  occurred_at    timestamptz NOT NULL DEFAULT now(),
  type           text NOT NULL CHECK (type IN (
    'user_created', 'login_succeeded', 'login_failed', 'password_changed',
    'refresh_token_reused', 'session_revoked', 'role_granted', 'role_revoked',
    'user_disabled', 'user_enabled', 'signing_key_created', 'signing_key_activated',
    'signing_key_retired', 'signing_keys_rewrapped'
  )),
  actor_kind     text NOT NULL CHECK (actor_kind IN ('user', 'anonymous', 'cli', 'service')),
  actor_user_id  uuid,
  target_user_id uuid,
  client_address text CHECK (char_length(client_address) <= 64),
  request_id     text CHECK (char_length(request_id) <= 128),
  detail         jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (
    jsonb_typeof(detail) = 'object' AND octet_length(detail::text) <= 2048
  )
);

CREATE INDEX audit_events_target ON audit_events (target_user_id, id) WHERE target_user_id IS NOT NULL;
CREATE INDEX audit_events_actor ON audit_events (actor_user_id, id) WHERE actor_user_id IS NOT NULL;
CREATE INDEX audit_events_type ON audit_events (type, id);

-- Append-only, enforced in the database. The service connects as one role
-- that owns its tables, so privileges cannot take UPDATE and DELETE away
-- from it; a trigger refuses them instead, whoever asks, until the table's
-- owner drops or disables it on purpose (a retention job, say). That stops
-- a bug or an injected statement from rewriting history, not a superuser.
CREATE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_events_no_update_or_delete
  BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
