import { type SessionEndReason, scopesOf } from '@authpair/contracts';
import type { Logger } from '@authpair/service-kit';
import type { Pool } from 'pg';
import { type AuditContext, recordAudit } from '../audit/audit-log';
import { inTransaction, type Queryable } from '../db/pool';
import { printable } from '../db/printable';
import type { AccessTokenIssuer } from '../tokens/access-token';
import { AccountDisabledError } from '../users/user-service';
import { generateRefreshToken, refreshTokenHash } from './refresh-token';
import { sessionsOverCap } from './session-cap';
import type { SessionMetrics } from './session-metrics';
import { createSessionQueries, type LiveSessionRow, type SessionSelector } from './session-queries';
import type { SessionSettings } from './session-settings';

/** What a login or a refresh hands the client. */
export interface SessionGrant {
  sessionId: string;
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
  /** The access token's scopes, space-separated (empty: none). */
  scope: string;
}

/** Where a login came from, as recorded on its session. */
export interface ClientInfo {
  address: string | null;
  userAgent: string | null;
}

export interface SessionServiceDeps {
  pool: Pool;
  tokens: AccessTokenIssuer;
  settings: SessionSettings;
  metrics: SessionMetrics;
  logger: Logger;
}

/** The session a grant is for, with the user's current roles. */
export interface GrantSubject {
  id: string;
  userId: string;
  username: string;
  roles: readonly string[];
}

/** A refresh token stored in its family, and what its access token will say. */
export interface PendingGrant {
  subject: GrantSubject;
  scope: readonly string[];
  refreshToken: string;
  /** The refresh token's expiry: no access token of the grant may outlive it. */
  notAfter: Date;
}

/**
 * Stores a new refresh token into the family, in the caller's transaction.
 * Its scope is what the user's roles grant now, or the narrower `scope` the
 * client asked for (the caller checked it). The access token is signed by
 * `signGrant` once the transaction has committed: an RSA signature takes
 * longer than the rest of the work, and no lock or connection should be
 * held for it.
 */
export async function storeGrant(
  db: Queryable,
  deps: Pick<SessionServiceDeps, 'settings'>,
  subject: GrantSubject,
  scope: readonly string[] = scopesOf(subject.roles),
): Promise<PendingGrant> {
  const next = generateRefreshToken();
  const stored = await createSessionQueries(db).insertRefreshToken({
    sessionId: subject.id,
    hash: next.hash,
    parentId: null,
    ttlSeconds: deps.settings.refreshTokenTtl,
  });
  return { subject, scope, refreshToken: next.token, notAfter: stored.expiresAt };
}

/**
 * Signs the access token of a stored grant. Its `exp` is capped by the
 * refresh token's expiry, so no access token outlives its session
 * (absolute or idle).
 */
export async function signGrant(
  deps: Pick<SessionServiceDeps, 'tokens'>,
  { subject, scope, refreshToken, notAfter }: PendingGrant,
): Promise<SessionGrant> {
  const access = await deps.tokens.issue({
    userId: subject.userId,
    username: subject.username,
    sessionId: subject.id,
    scope: scope.join(' '),
    notAfter,
  });
  return {
    sessionId: subject.id,
    accessToken: access.token,
    expiresIn: access.expiresIn,
    refreshToken,
    scope: access.claims.scope ?? '',
  };
}

/** Sessions: starting one at login, listing and ending them. Refresh is in refresh.ts. */
export function createSessionService(deps: SessionServiceDeps) {
  const { pool, settings, metrics, logger } = deps;

  async function endWithin(
    db: Queryable,
    selector: SessionSelector,
    reason: SessionEndReason,
    audit: AuditContext,
  ): Promise<number> {
    const ended = await createSessionQueries(db).endSessions(selector, reason, audit);
    metrics.ended(reason, ended.length);
    if (ended.length > 0) logger.info({ sessions: ended, reason }, 'sessions ended');
    return ended.length;
  }

  return {
    /**
     * Starts a session for a user who just proved who they are, and audits
     * the login in the same transaction. The user row is re-read under a
     * lock, so a disable racing the login either ends this session too or
     * is seen here (AccountDisabledError), and logins of one user count its
     * live sessions one after the other: beyond SESSION_MAX_PER_USER the
     * oldest end (session-cap.ts).
     */
    async start(
      user: { id: string },
      client: ClientInfo,
      audit: AuditContext,
    ): Promise<SessionGrant> {
      const pending = await inTransaction(pool, async (db) => {
        const queries = createSessionQueries(db);
        const current = await queries.lockUserForSession(user.id);
        if (current === undefined || current.disabledAt !== null) throw new AccountDisabledError();
        const overCap = sessionsOverCap({
          live: await queries.liveSessionsOf(user.id),
          maxPerUser: settings.maxPerUser,
        });
        const session = await queries.insertSession({
          userId: user.id,
          maxAgeSeconds: settings.maxAge,
          clientAddress: printable(client.address, 64),
          userAgent: printable(client.userAgent, 512),
        });
        const stored = await storeGrant(db, deps, {
          id: session.id,
          userId: user.id,
          username: current.username,
          roles: current.roles,
        });
        if (overCap.length > 0)
          await endWithin(db, { userId: user.id, sessionIds: overCap }, 'session_limit', audit);
        await recordAudit(db, audit, {
          type: 'login_succeeded',
          targetUserId: user.id,
          detail: { session_id: session.id },
        });
        return stored;
      });
      const grant = await signGrant(deps, pending);
      metrics.started();
      metrics.tokensIssued();
      return grant;
    },

    /** Ends the selected sessions; returns how many were live and are now ended. */
    end(selector: SessionSelector, reason: SessionEndReason, audit: AuditContext): Promise<number> {
      return endWithin(pool, selector, reason, audit);
    },

    /** As `end`, inside the caller's transaction (a password change, a role change). */
    endWithin,

    /**
     * RFC 7009 for a refresh token: ends its session, whatever state the
     * token is in (a spent token still names its family). Unknown tokens
     * are ignored; the caller answers 200 either way.
     */
    async revokeRefreshToken(token: string, audit: AuditContext): Promise<void> {
      const hash = refreshTokenHash(token);
      if (hash === undefined) return;
      const sessionId = await createSessionQueries(pool).familyOf(hash);
      if (sessionId !== undefined) await endWithin(pool, { sessionId }, 'token_revoked', audit);
    },

    /** Whether access tokens of this session are still honoured. */
    isLive(sessionId: string, userId: string): Promise<boolean> {
      return createSessionQueries(pool).isLive(sessionId, userId);
    },

    list(userId: string): Promise<LiveSessionRow[]> {
      return createSessionQueries(pool).listLive(userId);
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
