-- Audit events: the request id is ours; the client's is kept apart.
--
-- request_id used to hold the caller's X-Request-Id whenever it sent an
-- acceptable one, so the trail recorded a client-chosen value as if it
-- were the service's: anyone could make an event point at another
-- request's log lines, or at none. From now on request_id is always the id
-- the service generated (req_id in its logs), and the id a client sent is
-- stored here, as the client's word. Rows written before this migration
-- cannot be told apart and keep what they had.
ALTER TABLE audit_events
  ADD COLUMN client_request_id text CHECK (char_length(client_request_id) <= 128);
