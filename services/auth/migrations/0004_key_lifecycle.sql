-- Signing keys: encryption at rest and a schedule for every lifecycle step.
--
-- Private keys are sealed with AES-256-GCM under a key-encryption key (KEK)
-- that lives in the environment (KEY_ENCRYPTION_KEYS), never in the
-- database, so a dump alone reveals no private key. The service seals any
-- plaintext key left by 0002 at start and clears `private_key`; a later
-- migration drops that column once every deployment has started once.
ALTER TABLE signing_keys
  ALTER COLUMN private_key DROP NOT NULL,
  -- AES-256-GCM of the PKCS#8 DER private key; the kid is the additional
  -- authenticated data, so a ciphertext moved to another row fails to open.
  ADD COLUMN private_key_ciphertext bytea,
  ADD COLUMN private_key_iv         bytea,
  ADD COLUMN private_key_tag        bytea,
  -- Which KEK sealed it: `auth-admin keys rewrap` moves keys to the current one.
  ADD COLUMN kek_id                 text,
  -- The schedule, computed by the service from what verifiers may cache
  -- (see README, "Signing-key rotation"), in the database's clock:
  --   activate_at: a pending key may start signing (published long enough)
  --   retire_at:   the active key is planned to stop signing
  --   remove_at:   a retiring key leaves the JWKS (its tokens have expired)
  ADD COLUMN activate_at            timestamptz,
  ADD COLUMN retire_at              timestamptz,
  ADD COLUMN remove_at              timestamptz,
  ADD CONSTRAINT signing_keys_sealed_together CHECK (
    (private_key_ciphertext IS NULL) = (private_key_iv IS NULL)
    AND (private_key_ciphertext IS NULL) = (private_key_tag IS NULL)
    AND (private_key_ciphertext IS NULL) = (kek_id IS NULL)
  ),
  -- A key that can still sign has its private half in exactly one form; a
  -- retired key may have none (retirement erases it).
  ADD CONSTRAINT signing_keys_private_key_once CHECK (
    NOT (private_key IS NOT NULL AND private_key_ciphertext IS NOT NULL)
    AND (state = 'retired' OR private_key IS NOT NULL OR private_key_ciphertext IS NOT NULL)
  ),
  ADD CONSTRAINT signing_keys_pending_scheduled CHECK (state <> 'pending' OR activate_at IS NOT NULL),
  ADD CONSTRAINT signing_keys_retiring_scheduled CHECK (
    state <> 'retiring' OR (retiring_at IS NOT NULL AND remove_at IS NOT NULL)
  );

-- One rotation at a time: replicas racing the scheduler, or an operator
-- racing it, cannot create two pending keys.
CREATE UNIQUE INDEX signing_keys_one_pending ON signing_keys ((true)) WHERE state = 'pending';
