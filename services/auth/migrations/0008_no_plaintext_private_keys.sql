-- Signing keys: the plaintext private_key column goes.
--
-- Since 0004 every private key is sealed with a key-encryption key (KEK)
-- that never enters the database. The column 0002 created for plaintext
-- keys stayed, and the service used to seal whatever it found there at
-- start: so anyone able to INSERT into signing_keys could plant a key of
-- their own and have it published and trusted. No release ever left a key
-- in that column (the service cleared it at start), so a row that has one
-- now was written into the database directly. It must never become a
-- signing key: this migration refuses to run while one exists, naming it,
-- and then drops the column so that nothing can read it again.
DO $$
DECLARE
  planted text;
BEGIN
  SELECT string_agg(format('%s (%s)', kid, state), ', ' ORDER BY kid)
    INTO planted
    FROM signing_keys
   WHERE private_key IS NOT NULL;
  IF planted IS NOT NULL THEN
    RAISE EXCEPTION 'signing_keys holds a private key in plaintext: kid %', planted
      USING ERRCODE = 'integrity_constraint_violation',
            DETAIL = 'No release of authpair leaves a key there: the row was written into the database by someone else, and is not trusted.',
            HINT = 'Find out how it got there, then delete it (DELETE FROM signing_keys WHERE kid = ...) and start again.';
  END IF;
END
$$;

-- Drops signing_keys_private_key_once with it (it names the column).
ALTER TABLE signing_keys DROP COLUMN private_key;

-- What signing_keys_private_key_once still said: a key that can sign has a
-- sealed private half; and a retired key has none (retirement erases it).
ALTER TABLE signing_keys
  ADD CONSTRAINT signing_keys_sealed_unless_retired CHECK (
    (state = 'retired') = (private_key_ciphertext IS NULL)
  );
