-- Indexes on the two links between refresh tokens, for deletes.
--
-- Deleting a session (the purge of ended sessions) cascades to its refresh
-- tokens, and deleting each token makes PostgreSQL look for the tokens that
-- point at it: parent_id (ON DELETE CASCADE) and replaced_by (NO ACTION,
-- checked at the end of the statement). Without an index each of those
-- lookups reads the whole table, twice per token deleted. Partial: a family's
-- first token has no parent, and its live token no successor.
CREATE INDEX refresh_tokens_parent ON refresh_tokens (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX refresh_tokens_replaced_by ON refresh_tokens (replaced_by) WHERE replaced_by IS NOT NULL;
