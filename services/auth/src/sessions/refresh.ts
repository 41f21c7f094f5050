import { randomUUID } from 'node:crypto';
import type { InvalidGrantReason } from '@authpair/contracts';
import { scopesOf } from '@authpair/contracts';
import { type AuditContext, recordAudit } from '../audit/audit-log';
import { inTransaction } from '../db/pool';
import { InvalidGrantError, InvalidScopeError } from './errors';
import { childRefreshToken, refreshTokenHash } from './refresh-token';
import { decideRefresh } from './rotation-policy';
import type { RefreshOutcome } from './session-metrics';
import { createSessionQueries, type LockedSession } from './session-queries';
import {
  type PendingGrant,
  type SessionGrant,
  type SessionService,
  type SessionServiceDeps,
  signGrant,
} from './session-service';

/** A decision applied: the grant to sign, or why there is none (also the metric's outcome). */
type Applied =
  | { outcome: 'rotated' | 'retried'; pending: PendingGrant }
  | { outcome: 'invalid_scope' }
  | {
      outcome: Exclude<RefreshOutcome, 'rotated' | 'retried' | 'invalid_scope'>;
      reason: InvalidGrantReason;
      detail?: string;
    };

/** A token of a family whose session reuse detection ended (this one was never spent). */
const REUSE_ENDED_SESSION =
  'the session of this refresh token has ended: a spent refresh token of it was presented again';

/** What a client is told about a session that has ended (the `reason` of `invalid_grant`). */
function endedSessionReason(session: LockedSession): InvalidGrantReason {
  if (session.revokedReason === 'refresh_token_reuse') return 'reuse_detected';
  if (session.revokedReason === 'user_disabled' || session.userDisabledAt !== null)
    return 'user_disabled';
  return 'session_ended';
}

/** What comes with the refresh token. */
export interface RefreshRequest {
  /** RFC 6749 §6: a narrower scope than the session's, if asked for; absent: all it grants. */
  scope?: readonly string[];
  audit: AuditContext;
}

/**
 * The refresh-token grant (RFC 6749 §6) with rotation and reuse detection
 * (RFC 9700 §4.14.2). Each exchange runs in one transaction holding the
 * family lock (the session row), so concurrent presentations of one token,
 * or of two tokens of one family, are decided one after the other on
 * fresh state: N parallel refreshes never leave two live tokens.
 */
export function createTokenRefresher(deps: SessionServiceDeps & { sessions: SessionService }) {
  const { pool, settings, metrics, logger, sessions } = deps;

  async function apply(presented: string, hash: Buffer, request: RefreshRequest): Promise<Applied> {
    return inTransaction(pool, async (db): Promise<Applied> => {
      const queries = createSessionQueries(db);
      const session = await queries.lockFamilyOf(hash);
      // Read under the lock: a concurrent exchange of this family has committed or not begun.
      const token = session === undefined ? undefined : await queries.presentedToken(hash);
      if (session === undefined || token === undefined)
        return { outcome: 'invalid', reason: 'invalid' };

      const { child } = token;
      // The child as a retry would hand it back; another value means REFRESH_TOKEN_SECRET changed.
      const again = child && childRefreshToken(settings.refreshTokenSecret, child.id, presented);
      const decision = decideRefresh({
        now: token.now,
        graceSeconds: settings.reuseGraceSeconds,
        session,
        token,
        child: child && again ? { ...child, derivable: again.hash.equals(child.hash) } : null,
      });
      switch (decision.kind) {
        case 'rotate':
        case 'retry': {
          // Disabling ends every session in its own transaction; this is the backstop.
          if (session.userDisabledAt !== null)
            return { outcome: 'revoked', reason: 'user_disabled' };
          // Scopes come from the roles held now: a role granted since login arrives here.
          const granted = scopesOf(session.roles);
          const scope = request.scope ?? granted;
          // Checked before anything is spent: the client may retry with the same token.
          if (scope.some((wanted) => !(granted as readonly string[]).includes(wanted)))
            return { outcome: 'invalid_scope' };
          if (decision.kind === 'retry') {
            if (child === null || again === null)
              throw new Error('a retry of a token without a child');
            // The same child again: nothing is written, the family keeps its one live token.
            return {
              outcome: 'retried',
              pending: {
                subject: session,
                scope,
                refreshToken: again.token,
                notAfter: child.expiresAt,
              },
            };
          }
          const childId = randomUUID();
          const next = childRefreshToken(settings.refreshTokenSecret, childId, presented);
          const stored = await queries.rotate({
            sessionId: session.id,
            parentId: token.id,
            childId,
            hash: next.hash,
            ttlSeconds: settings.refreshTokenTtl,
          });
          return {
            outcome: 'rotated',
            pending: {
              subject: session,
              scope,
              refreshToken: next.token,
              notAfter: stored.expiresAt,
            },
          };
        }
        case 'reuse': {
          await sessions.endWithin(
            db,
            { sessionId: session.id },
            'refresh_token_reuse',
            request.audit,
          );
          await recordAudit(db, request.audit, {
            type: 'refresh_token_reused',
            targetUserId: session.userId,
            detail: { session_id: session.id },
          });
          logger.warn(
            { session_id: session.id, user_id: session.userId, token_id: token.id },
            'refresh token reused; session ended',
          );
          return { outcome: 'reused', reason: 'reuse_detected' };
        }
        case 'revoked': {
          const reason = endedSessionReason(session);
          return reason === 'reuse_detected'
            ? { outcome: 'revoked', reason, detail: REUSE_ENDED_SESSION }
            : { outcome: 'revoked', reason };
        }
        case 'expired':
          return { outcome: 'expired', reason: 'expired' };
      }
    });
  }

  return {
    /**
     * Exchanges a refresh token for a new access token and refresh token.
     * Throws InvalidGrantError for anything but a live token (or a retry
     * within the grace window; see rotation-policy.ts), InvalidScopeError
     * for a scope beyond what the user's roles grant.
     */
    async refresh(token: string, request: RefreshRequest): Promise<SessionGrant> {
      const hash = refreshTokenHash(token);
      const applied: Applied =
        hash === undefined
          ? { outcome: 'invalid', reason: 'invalid' }
          : await apply(token, hash, request);
      metrics.refreshed(applied.outcome);
      if ('pending' in applied) {
        // Signed after the commit, holding no lock. Should signing fail (503), the
        // client retries with the same token inside the grace window and gets a pair.
        const grant = await signGrant(deps, applied.pending);
        metrics.tokensIssued();
        return grant;
      }
      if (applied.outcome === 'invalid_scope') throw new InvalidScopeError();
      throw new InvalidGrantError(applied.reason, applied.detail);
    },
  };
}

export type TokenRefresher = ReturnType<typeof createTokenRefresher>;
