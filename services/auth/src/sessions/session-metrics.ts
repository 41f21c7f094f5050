import type { SessionEndReason } from '@authpair/contracts';
import { SESSION_END_REASONS } from '@authpair/contracts';
import { Counter, type Registry } from '@authpair/service-kit';

/** How a refresh-token grant ended. */
export const REFRESH_OUTCOMES = [
  'rotated',
  'retried',
  'reused',
  'expired',
  'revoked',
  'invalid',
  'invalid_scope',
] as const;
export type RefreshOutcome = (typeof REFRESH_OUTCOMES)[number];

export interface SessionMetrics {
  started(): void;
  /** One access token and one refresh token were issued (a login or a refresh). */
  tokensIssued(): void;
  refreshed(outcome: RefreshOutcome): void;
  ended(reason: SessionEndReason, count: number): void;
  /** Ended sessions deleted by the purge, long after they ended. */
  purged(count: number): void;
}

/** Session counters on the service's registry, every label value present from the start. */
export function createSessionMetrics(registry: Registry): SessionMetrics {
  const started = new Counter({
    name: 'sessions_started_total',
    help: 'Sessions started by a login',
    registers: [registry],
  });
  const refreshes = new Counter({
    name: 'refresh_token_grants_total',
    help: 'Refresh-token grants by outcome: rotated, retried (grace window), reused (family revoked), expired, revoked, invalid, invalid_scope',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const ended = new Counter({
    name: 'sessions_ended_total',
    help: 'Sessions ended before their time, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const issued = new Counter({
    name: 'tokens_issued_total',
    help: 'Tokens issued by logins and refreshes, by type',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const purged = new Counter({
    name: 'sessions_purged_total',
    help: 'Ended sessions deleted, with their refresh tokens, after SESSION_RETENTION_DAYS',
    registers: [registry],
  });
  for (const outcome of REFRESH_OUTCOMES) refreshes.inc({ outcome }, 0);
  for (const type of ['access_token', 'refresh_token']) issued.inc({ type }, 0);
  for (const reason of SESSION_END_REASONS) ended.inc({ reason }, 0);
  return {
    started: () => started.inc(),
    tokensIssued: () => {
      issued.inc({ type: 'access_token' });
      issued.inc({ type: 'refresh_token' });
    },
    refreshed: (outcome) => refreshes.inc({ outcome }),
    ended: (reason, count) => {
      if (count > 0) ended.inc({ reason }, count);
    },
    purged: (count) => purged.inc(count),
  };
}
