/**
 * Which of a user's live sessions a new login ends, decided from the live
 * sessions as read under the user's row lock. Pure, like rotation-policy.ts;
 * `session-service.ts` applies the decision in the login's transaction.
 *
 * The rule: a user holds at most `maxPerUser` live sessions, the new one
 * included. A login beyond that ends the oldest (by login time, then id),
 * through the same path as every other end: audited, and published in the
 * revocation feed with the reason `session_limit`. Without a cap, one
 * account could create sessions without bound, and ending them all at once
 * (logout everywhere) would be a burst every resource service has to read
 * within its lag budget.
 */

export interface LiveSession {
  id: string;
  createdAt: Date;
}

export interface SessionCapState {
  /** The user's live sessions before the new one. */
  live: readonly LiveSession[];
  maxPerUser: number;
}

/** The ids of the sessions to end, oldest first; empty when the new one fits. */
export function sessionsOverCap({ live, maxPerUser }: SessionCapState): string[] {
  const excess = live.length + 1 - maxPerUser;
  if (excess <= 0) return [];
  return [...live]
    .sort(
      (a, b) =>
        a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .slice(0, excess)
    .map((session) => session.id);
}
