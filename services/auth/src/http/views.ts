import type { SessionSummary } from '@authpair/contracts';
import type { LiveSessionRow } from '../sessions/session-queries';

export { adminUserView } from '../users/user-admin';

/** A live session as both `GET /sessions` and the admin API show it. */
export function sessionSummaryView(row: LiveSessionRow): SessionSummary {
  return {
    id: row.id,
    created_at: row.created_at.toISOString(),
    last_used_at: row.last_used_at.toISOString(),
    expires_at: row.expires_at.toISOString(),
    idle_expires_at: row.idle_expires_at.toISOString(),
    client_address: row.client_address,
    user_agent: row.user_agent,
  };
}
