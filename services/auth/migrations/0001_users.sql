-- Users. The username is kept as registered (NFKC-normalised, case preserved)
-- for display, and unique in its canonical form (NFKC + case fold), so
-- "Alice", "alice" and "Ａｌｉｃｅ" are one account.
CREATE TABLE users (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username           text NOT NULL,
  username_canonical text NOT NULL,
  -- The hash and the scheme that produced it, so the scheme can change
  -- without breaking existing passwords.
  password_hash      text NOT NULL,
  password_scheme    text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_username_canonical_key UNIQUE (username_canonical),
  CONSTRAINT users_username_length CHECK (char_length(username) BETWEEN 1 AND 64)
);
