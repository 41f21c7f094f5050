-- Access-token signing keys. Several keys live here at once, each in one
-- state of its lifecycle:
--   pending  -> published in the JWKS, not yet signing
--   active   -> signing (exactly one, enforced by the partial unique index)
--   retiring -> published, no longer signing, until tokens it signed expire
--   retired  -> not published; kept for the audit trail
CREATE TABLE signing_keys (
  kid          text PRIMARY KEY,
  alg          text NOT NULL DEFAULT 'RS256' CHECK (alg = 'RS256'),
  state        text NOT NULL CHECK (state IN ('pending', 'active', 'retiring', 'retired')),
  public_jwk   jsonb NOT NULL,
  -- PKCS#8 PEM of the private key.
  private_key  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  activated_at timestamptz,
  retiring_at  timestamptz,
  retired_at   timestamptz
);

CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys ((true)) WHERE state = 'active';
CREATE INDEX signing_keys_published ON signing_keys (state) WHERE state IN ('pending', 'active', 'retiring');
