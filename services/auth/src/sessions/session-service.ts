import type { SessionEndReason } from '@authpair/contracts';
import type { Logger } from '@authpair/service-kit';
import type { Pool } from 'pg';
import type { AuthConfig } from '../config';
import { inTransaction, type Queryable } from '../db/pool';
import type { AccessTokenIssuer } from '../tokens/access-token';
import { generateRefreshToken, refreshTokenHash } from './refresh-token';
import type { SessionMetrics } from './session-metrics';
import { createSessionQueries, type LiveSessionRow, type SessionSelector } from './session-queries';

/** What a login or a refresh hands the client. */
export interface SessionGrant {
  sessionId: string;
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
}

/** Where a login came from, as recorded on its session. */
export interface ClientInfo {
  address: string | null;
  userAgent: string | null;
}

export interface SessionServiceDeps {
  pool: Pool;
  tokens: AccessTokenIssuer;
  settings: AuthConfig['sessions'];
  metrics: SessionMetrics;
  logger: Logger;
}

/** Controls and the like never reach the database (PostgreSQL refuses NUL in text). */
const UNPRINTABLE = /[\p{Cc}\p{Cf}]/gu;

function clean(value: string | null, max: number): string | null {
  if (value === null) return null;
  const printable = value.replace(UNPRINTABLE, '').slice(0, max);
  return printable === '' ? null : printable;
}

/**
 * Issues a new refresh token into the family and an access token bound to
 * the session, in the caller's transaction. The access token's `exp` is
 * capped by the refresh token's expiry, so no access token outlives its
 * session (absolute or idle).
 */
export async function issueGrant(
  db: Queryable,
  deps: Pick<SessionServiceDeps, 'tokens' | 'settings'>,
  session: { id: string; userId: string; username: string },
  parentId: string | null,
): Promise<{ grant: SessionGrant; refreshTokenId: string }> {
  const next = generateRefreshToken();
  const stored = await createSessionQueries(db).insertRefreshToken({
    sessionId: session.id,
    hash: next.hash,
    parentId,
    ttlSeconds: deps.settings.refreshTokenTtl,
  });
  const access = await deps.tokens.issue({
    userId: session.userId,
    username: session.username,
    sessionId: session.id,
    notAfter: stored.expiresAt,
  });
  return {
    grant: {
      sessionId: session.id,
      accessToken: access.token,
      expiresIn: access.expiresIn,
      refreshToken: next.token,
    },
    refreshTokenId: stored.id,
  };
}

/** Sessions: starting one at login, listing and ending them. Refresh is in refresh.ts. */
export function createSessionService(deps: SessionServiceDeps) {
  const { pool, settings, metrics, logger } = deps;

  async function endWithin(
    db: Queryable,
    selector: SessionSelector,
    reason: SessionEndReason,
  ): Promise<number> {
    const ended = await createSessionQueries(db).endSessions(selector, reason);
    metrics.ended(reason, ended.length);
    if (ended.length > 0) logger.info({ sessions: ended, reason }, 'sessions ended');
    return ended.length;
  }

  return {
    /** Starts a session for a user who just proved who they are. */
    async start(user: { id: string; username: string }, client: ClientInfo): Promise<SessionGrant> {
      const { grant } = await inTransaction(pool, async (db) => {
        const session = await createSessionQueries(db).insertSession({
          userId: user.id,
          maxAgeSeconds: settings.maxAge,
          clientAddress: clean(client.address, 64),
          userAgent: clean(client.userAgent, 512),
        });
        return issueGrant(
          db,
          deps,
          { id: session.id, userId: user.id, username: user.username },
          null,
        );
      });
      metrics.started();
      return grant;
    },

    /** Ends the selected sessions; returns how many were live and are now ended. */
    end(selector: SessionSelector, reason: SessionEndReason): Promise<number> {
      return endWithin(pool, selector, reason);
    },

    /** As `end`, inside the caller's transaction (a password change). */
    endWithin,

    /**
     * RFC 7009 for a refresh token: ends its session, whatever state the
     * token is in (a spent token still names its family). Unknown tokens
     * are ignored; the caller answers 200 either way.
     */
    async revokeRefreshToken(token: string): Promise<void> {
      const hash = refreshTokenHash(token);
      if (hash === undefined) return;
      const sessionId = await createSessionQueries(pool).familyOf(hash);
      if (sessionId !== undefined) await endWithin(pool, { sessionId }, 'token_revoked');
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
