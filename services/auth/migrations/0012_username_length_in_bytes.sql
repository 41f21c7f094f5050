-- The username's length CHECK counted characters, and a database created
-- as SQL_ASCII (initdb's default under the C locale) counts every byte as
-- one: a name the policy accepts, 32 letters of a script that takes up to
-- four bytes a letter, broke the CHECK there and registration answered 500.
-- The policy (3 to 32 characters after NFKC) is the service's; this is its
-- backstop, bounded in bytes, which holds whatever the database encoding.
ALTER TABLE users DROP CONSTRAINT users_username_length;
ALTER TABLE users
  ADD CONSTRAINT users_username_length CHECK (octet_length(username) BETWEEN 1 AND 256);
