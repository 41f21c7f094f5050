import type { Logger } from '@authpair/service-kit';
import type { Pool } from 'pg';
import { inTransaction, type QueryWithReadTimeout } from '../db/pool';
import { type Repeating, repeatEvery } from '../db/repeat';

/** Serialises purges across replicas: one deletes, the others skip that round. */
const PURGE_LOCK = 'authpair:session-purge';

/** Sessions deleted per transaction: short locks, bounded WAL per commit. */
export const PURGE_BATCH = 500;

/**
 * A batch's statement timeout, above the request timeout (DB_STATEMENT_TIMEOUT_MS):
 * finding idle sessions reads every session of a large table, and nothing
 * waits on this work but the next purge. Set on the server (SET LOCAL) and
 * as the client's read timeout, which would otherwise stop at the pool's.
 */
const PURGE_STATEMENT_TIMEOUT_MS = 60_000;

export interface SessionPurgeSettings {
  /** Days an ended session (and its refresh tokens) is kept after it ended; 0 keeps them forever. */
  retentionDays: number;
  /** How often each replica tries to purge. */
  intervalMs: number;
}

/**
 * Deletes sessions that ended more than `retentionDays` ago, with their
 * refresh tokens (ON DELETE CASCADE): without it both tables grow with
 * every login and every rotation, forever. A session ends when it is
 * revoked, at its absolute expiry, or when its live refresh token expires
 * unused (inactivity), whichever comes first; the retention counts from
 * then.
 *
 * What the deletion costs: a spent refresh token of a purged session is
 * answered `invalid_grant` (reason `invalid`) instead of being detected as
 * reuse, which is harmless, the family having ended long before. The
 * revocation feed lists sessions revoked within the last access-token
 * lifetime (a day at most), far inside the shortest retention (2 days).
 * Audit events are never purged here: they do not reference sessions by
 * key, and their retention is a compliance decision.
 *
 * Every replica runs it on a timer; a try-lock lets one of them delete
 * each round. Batches of PURGE_BATCH sessions, one transaction each.
 */
export class SessionPurger {
  readonly #pool: Pool;
  readonly #logger: Logger;
  readonly #settings: SessionPurgeSettings;
  readonly #onPurged: (count: number) => void;
  #timer: Repeating | undefined;
  #running: Promise<number> | undefined;
  #stopping = false;

  constructor(
    pool: Pool,
    logger: Logger,
    settings: SessionPurgeSettings,
    onPurged: (count: number) => void = () => {},
  ) {
    this.#pool = pool;
    this.#logger = logger;
    this.#settings = settings;
    this.#onPurged = onPurged;
  }

  /**
   * Purges every `intervalMs`, the first time a random part of that after
   * start: replicas restarted by a deploy more often than hourly still
   * purge, and do not all try at once.
   */
  start(): void {
    if (this.#settings.retentionDays === 0) return;
    this.#timer = repeatEvery(
      this.#settings.intervalMs,
      () => this.purge(),
      (error) => this.#logger.warn({ err: error }, 'session purge failed'),
      Math.floor(Math.random() * this.#settings.intervalMs),
    );
  }

  /** Stops the timer and waits for a purge in progress (its current batch), so the pool can close under it. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#timer?.stop();
    await this.#running?.catch(() => undefined);
  }

  /**
   * Purges now, batch after batch, until none is left or another replica
   * holds the lock. Resolves the number of sessions deleted. A purge already
   * running is joined, not doubled.
   */
  purge(): Promise<number> {
    if (this.#settings.retentionDays === 0) return Promise.resolve(0);
    this.#running ??= this.#purge().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #purge(): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.#batch();
      if (deleted === undefined) break; // another replica is purging
      total += deleted;
      if (deleted < PURGE_BATCH || this.#stopping) break;
    }
    if (total > 0) {
      this.#onPurged(total);
      this.#logger.info(
        { sessions: total, retention_days: this.#settings.retentionDays },
        'purged ended sessions',
      );
    }
    return total;
  }

  /** One batch under the try-lock: the count deleted, or undefined when the lock is taken. */
  #batch(): Promise<number | undefined> {
    return inTransaction(this.#pool, async (db) => {
      const { rows } = await db.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
        [PURGE_LOCK],
      );
      if (rows[0]?.locked !== true) return undefined;
      await db.query(`SET LOCAL statement_timeout = ${PURGE_STATEMENT_TIMEOUT_MS}`);
      // SKIP LOCKED: a session being rotated or revoked right now is left for the next round.
      const purge: QueryWithReadTimeout = {
        text: `DELETE FROM sessions WHERE id IN (
           SELECT s.id FROM sessions s
            WHERE s.revoked_at < now() - make_interval(days => $1)
               OR s.expires_at < now() - make_interval(days => $1)
               -- Inactivity: not revoked (revoking also revokes the live token), and
               -- no live token that expires after the cutoff.
               OR (s.revoked_at IS NULL AND NOT EXISTS (
                    SELECT 1 FROM refresh_tokens live
                     WHERE live.session_id = s.id
                       AND live.used_at IS NULL AND live.revoked_at IS NULL
                       AND live.expires_at >= now() - make_interval(days => $1)))
            LIMIT $2
            FOR UPDATE SKIP LOCKED)`,
        values: [this.#settings.retentionDays, PURGE_BATCH],
        query_timeout: PURGE_STATEMENT_TIMEOUT_MS + 1000,
      };
      const { rowCount } = await db.query(purge);
      return rowCount ?? 0;
    });
  }
}
