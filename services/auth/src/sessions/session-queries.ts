import type { SessionEndReason } from '@authpair/contracts';
import {
  AUDIT_CONTEXT_COLUMNS,
  AUDIT_CONTEXT_TYPES,
  type AuditContext,
  auditContextParams,
} from '../audit/audit-log';
import type { Queryable } from '../db/pool';

/**
 * A session is live while it is not revoked, not past its absolute end, and
 * holds a live refresh token (one neither spent, revoked nor idle-expired).
 * Access tokens never outlive that token (their `exp` is capped by it), so
 * a session that is not live has no valid tokens left to revoke.
 */
const LIVE = `s.revoked_at IS NULL AND s.expires_at > now() AND EXISTS (
  SELECT 1 FROM refresh_tokens live
   WHERE live.session_id = s.id AND live.used_at IS NULL
     AND live.revoked_at IS NULL AND live.expires_at > now())`;

/** Which sessions to end. */
export type SessionSelector =
  /** One session, live or not (a refresh token's family, whatever its state). */
  | { sessionId: string }
  /** One live session of this user. */
  | { userId: string; sessionId: string }
  /** Every live session of this user, but one. */
  | { userId: string; exceptSessionId?: string }
  /** These live sessions of this user. */
  | { userId: string; sessionIds: readonly string[] };

export interface LockedSession {
  id: string;
  userId: string;
  username: string;
  /** The user's roles now: a refresh issues the scope they grant today. */
  roles: string[];
  /** Set when the user is disabled (their sessions were ended in the same transaction). */
  userDisabledAt: Date | null;
  expiresAt: Date;
  revokedAt: Date | null;
  /** Why the session ended, when it has. */
  revokedReason: SessionEndReason | null;
}

export interface PresentedToken {
  id: string;
  sessionId: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  child: {
    id: string;
    hash: Buffer;
    expiresAt: Date;
    usedAt: Date | null;
    revokedAt: Date | null;
  } | null;
  /** The database's clock when the row was read. */
  now: Date;
}

export interface LiveSessionRow {
  id: string;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  idle_expires_at: Date;
  client_address: string | null;
  user_agent: string | null;
}

function where(selector: SessionSelector): { clause: string; params: unknown[] } {
  if (!('userId' in selector)) return { clause: 's.id = $2', params: [selector.sessionId] };
  if ('sessionIds' in selector)
    return {
      clause: `s.id = ANY($2::uuid[]) AND s.user_id = $3 AND ${LIVE}`,
      params: [selector.sessionIds, selector.userId],
    };
  if ('sessionId' in selector)
    return {
      clause: `s.id = $2 AND s.user_id = $3 AND ${LIVE}`,
      params: [selector.sessionId, selector.userId],
    };
  return {
    clause: `s.user_id = $2 AND s.id IS DISTINCT FROM $3 AND ${LIVE}`,
    params: [selector.userId, selector.exceptSessionId ?? null],
  };
}

/** SQL for sessions and refresh tokens; every statement parameterised. */
export function createSessionQueries(db: Queryable) {
  return {
    /**
     * The user a login starts a session for, read under a lock that a
     * concurrent disable (which updates the row) waits for, so it ends the
     * new session too, or commits first and is seen here. The lock is also
     * exclusive among logins of the user: each counts the live sessions
     * (SESSION_MAX_PER_USER) after the one before it committed.
     */
    async lockUserForSession(
      userId: string,
    ): Promise<{ username: string; roles: string[]; disabledAt: Date | null } | undefined> {
      const { rows } = await db.query<{
        username: string;
        roles: string[];
        disabled_at: Date | null;
      }>('SELECT username, roles, disabled_at FROM users WHERE id = $1 FOR NO KEY UPDATE', [
        userId,
      ]);
      const row = rows[0];
      return row && { username: row.username, roles: row.roles, disabledAt: row.disabled_at };
    },

    async insertSession(input: {
      userId: string;
      maxAgeSeconds: number;
      clientAddress: string | null;
      userAgent: string | null;
    }): Promise<{ id: string }> {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO sessions (user_id, expires_at, client_address, user_agent)
         VALUES ($1, now() + make_interval(secs => $2), $3, $4)
         RETURNING id`,
        [input.userId, input.maxAgeSeconds, input.clientAddress, input.userAgent],
      );
      return rows[0] as { id: string };
    },

    /** A new live token of the family, expiring after `ttlSeconds` but never after its session. */
    async insertRefreshToken(input: {
      sessionId: string;
      hash: Buffer;
      parentId: string | null;
      ttlSeconds: number;
    }): Promise<{ id: string; expiresAt: Date }> {
      const { rows } = await db.query<{ id: string; expires_at: Date }>(
        `INSERT INTO refresh_tokens (session_id, token_hash, parent_id, expires_at)
         SELECT s.id, $2, $3, LEAST(now() + make_interval(secs => $4), s.expires_at)
           FROM sessions s WHERE s.id = $1
         RETURNING id, expires_at`,
        [input.sessionId, input.hash, input.parentId, input.ttlSeconds],
      );
      const row = rows[0] as { id: string; expires_at: Date };
      return { id: row.id, expiresAt: row.expires_at };
    },

    /** The family (session) a token hash belongs to; read without a lock. */
    async familyOf(hash: Buffer): Promise<string | undefined> {
      const { rows } = await db.query<{ session_id: string }>(
        'SELECT session_id FROM refresh_tokens WHERE token_hash = $1',
        [hash],
      );
      return rows[0]?.session_id;
    },

    /**
     * Takes the family lock of a presented token (its session row): every
     * change to a family's tokens happens under it. Found and locked in one
     * round trip; unknown hashes lock nothing.
     */
    async lockFamilyOf(hash: Buffer): Promise<LockedSession | undefined> {
      const { rows } = await db.query<{
        id: string;
        user_id: string;
        username: string;
        roles: string[];
        disabled_at: Date | null;
        expires_at: Date;
        revoked_at: Date | null;
        revoked_reason: SessionEndReason | null;
      }>({
        name: 'refresh-lock-family',
        text: `SELECT s.id, s.user_id, u.username, u.roles, u.disabled_at, s.expires_at, s.revoked_at,
                s.revoked_reason
           FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.id = (SELECT t.session_id FROM refresh_tokens t WHERE t.token_hash = $1)
            FOR UPDATE OF s`,
        values: [hash],
      });
      const row = rows[0];
      return row === undefined
        ? undefined
        : {
            id: row.id,
            userId: row.user_id,
            username: row.username,
            roles: row.roles,
            userDisabledAt: row.disabled_at,
            expiresAt: row.expires_at,
            revokedAt: row.revoked_at,
            revokedReason: row.revoked_reason,
          };
    },

    /** A presented token and its current child, read (under the family lock) for the decision. */
    async presentedToken(hash: Buffer): Promise<PresentedToken | undefined> {
      const { rows } = await db.query<{
        id: string;
        session_id: string;
        expires_at: Date;
        used_at: Date | null;
        revoked_at: Date | null;
        child_id: string | null;
        child_hash: Buffer | null;
        child_expires_at: Date | null;
        child_used_at: Date | null;
        child_revoked_at: Date | null;
        now: Date;
      }>({
        name: 'refresh-presented-token',
        text: `SELECT t.id, t.session_id, t.expires_at, t.used_at, t.revoked_at,
                c.id AS child_id, c.token_hash AS child_hash, c.expires_at AS child_expires_at,
                c.used_at AS child_used_at, c.revoked_at AS child_revoked_at,
                clock_timestamp() AS now
           FROM refresh_tokens t LEFT JOIN refresh_tokens c ON c.id = t.replaced_by
          WHERE t.token_hash = $1`,
        values: [hash],
      });
      const row = rows[0];
      if (row === undefined) return undefined;
      return {
        id: row.id,
        sessionId: row.session_id,
        expiresAt: row.expires_at,
        usedAt: row.used_at,
        revokedAt: row.revoked_at,
        child:
          row.child_id === null || row.child_hash === null || row.child_expires_at === null
            ? null
            : {
                id: row.child_id,
                hash: row.child_hash,
                expiresAt: row.child_expires_at,
                usedAt: row.child_used_at,
                revokedAt: row.child_revoked_at,
              },
        now: row.now,
      };
    },

    /**
     * Rotation's writes in one statement: the child token (with the id its
     * value was derived with, expiring after `ttlSeconds`, never after its
     * session), the parent spent and naming the child, and the session's
     * last use. Runs under the family lock.
     */
    async rotate(input: {
      sessionId: string;
      parentId: string;
      childId: string;
      hash: Buffer;
      ttlSeconds: number;
    }): Promise<{ id: string; expiresAt: Date }> {
      const { rows } = await db.query<{ id: string; expires_at: Date }>({
        name: 'refresh-rotate',
        text: `WITH child AS (
           INSERT INTO refresh_tokens (id, session_id, token_hash, parent_id, expires_at)
           SELECT $5, s.id, $2, $3, LEAST(now() + make_interval(secs => $4), s.expires_at)
             FROM sessions s WHERE s.id = $1
           RETURNING id, expires_at
         ), spent AS (
           UPDATE refresh_tokens SET used_at = now(), replaced_by = (SELECT id FROM child)
            WHERE id = $3
         ), touched AS (
           UPDATE sessions SET last_used_at = now() WHERE id = $1
         )
         SELECT id, expires_at FROM child`,
        values: [input.sessionId, input.hash, input.parentId, input.ttlSeconds, input.childId],
      });
      const row = rows[0] as { id: string; expires_at: Date };
      return { id: row.id, expiresAt: row.expires_at };
    },

    /**
     * Ends the selected sessions, revokes their live refresh tokens and
     * appends a `session_revoked` audit event for each, in one statement:
     * no session ends unrecorded. The sessions are locked in id order first,
     * so two revocations of overlapping sets cannot deadlock, and a rotation
     * in flight finishes before its family is ended. Returns the ids ended.
     */
    async endSessions(
      selector: SessionSelector,
      reason: SessionEndReason,
      audit: AuditContext,
    ): Promise<string[]> {
      const { clause, params } = where(selector);
      const first = 2 + params.length;
      // Typed, since a parameter in a SELECT list would otherwise be taken as text.
      const context = AUDIT_CONTEXT_TYPES.map((type, offset) => `$${first + offset}::${type}`).join(
        ', ',
      );
      const { rows } = await db.query<{ id: string }>(
        `WITH target AS (
           SELECT s.id FROM sessions s WHERE ${clause} AND s.revoked_at IS NULL
            ORDER BY s.id FOR UPDATE
         ), ended AS (
           UPDATE sessions SET revoked_at = now(), revoked_reason = $1,
                  revoked_xid = pg_current_xact_id()
            WHERE id IN (SELECT id FROM target) AND revoked_at IS NULL
           RETURNING id, user_id
         ), tokens AS (
           UPDATE refresh_tokens SET revoked_at = now()
            WHERE session_id IN (SELECT id FROM ended) AND used_at IS NULL AND revoked_at IS NULL
         ), audited AS (
           INSERT INTO audit_events (type, target_user_id, detail, ${AUDIT_CONTEXT_COLUMNS})
           SELECT 'session_revoked', e.user_id,
                  jsonb_build_object('session_id', e.id, 'reason', $1::text), ${context}
             FROM ended e
         )
         SELECT id FROM ended`,
        [reason, ...params, ...auditContextParams(audit)],
      );
      return rows.map((row) => row.id);
    },

    /** Whether this user's session is live: access tokens of any other session are refused. */
    async isLive(sessionId: string, userId: string): Promise<boolean> {
      const { rowCount } = await db.query(
        `SELECT 1 FROM sessions s WHERE s.id = $1 AND s.user_id = $2 AND ${LIVE}`,
        [sessionId, userId],
      );
      return rowCount === 1;
    },

    /** The ids and login times of the user's live sessions, for the session cap. */
    async liveSessionsOf(userId: string): Promise<{ id: string; createdAt: Date }[]> {
      const { rows } = await db.query<{ id: string; created_at: Date }>(
        `SELECT s.id, s.created_at FROM sessions s WHERE s.user_id = $1 AND ${LIVE}`,
        [userId],
      );
      return rows.map((row) => ({ id: row.id, createdAt: row.created_at }));
    },

    /** The user's live sessions, most recently used first. */
    async listLive(userId: string): Promise<LiveSessionRow[]> {
      const { rows } = await db.query<LiveSessionRow>(
        `SELECT s.id, s.created_at, s.last_used_at, s.expires_at, s.client_address, s.user_agent,
                (SELECT max(t.expires_at) FROM refresh_tokens t
                  WHERE t.session_id = s.id AND t.used_at IS NULL AND t.revoked_at IS NULL)
                  AS idle_expires_at
           FROM sessions s
          WHERE s.user_id = $1 AND ${LIVE}
          ORDER BY s.last_used_at DESC, s.id`,
        [userId],
      );
      return rows;
    },
  };
}

export type SessionQueries = ReturnType<typeof createSessionQueries>;
