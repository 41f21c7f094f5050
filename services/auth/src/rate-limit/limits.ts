import { createHmac } from 'node:crypto';
import type { Logger } from '@authpair/service-kit';
import type { Pool } from 'pg';
import { RateLimiterPostgres, type RateLimiterRes } from 'rate-limiter-flexible';

/** One throttle: at most `max` counted attempts per `windowSeconds`, then 429 for a window. */
export interface RateLimitSetting {
  readonly max: number;
  readonly windowSeconds: number;
}

/** The throttles' settings (config.ts fills them from LOGIN_* and REGISTRATION_*). */
export interface RateLimitSettings {
  /** Failed logins per account (canonical username), from any address. */
  readonly loginAccount: RateLimitSetting;
  /** Failed logins per client address, for any accounts. */
  readonly loginAddress: RateLimitSetting;
  /** Registration attempts per client address. */
  readonly registrationAddress: RateLimitSetting;
}

/** The counters' table, created by migration 0005 in the layout RateLimiterPostgres expects. */
export const RATE_LIMIT_TABLE = 'rate_limits';

/** The throttles, by the name they carry in metrics and logs. */
export type LimitName = 'login_account' | 'login_address' | 'registration_address';

/**
 * Seconds a 429 asks to wait when the limit is full only because attempts
 * are still in flight: their outcome, a bcrypt compare away, may give their
 * points back (a successful login clears its account).
 */
export const IN_FLIGHT_RETRY_AFTER = 1;

/** Why a key refuses an attempt now. */
export interface Refusal {
  /** Seconds to wait: the block's end, or IN_FLIGHT_RETRY_AFTER. */
  retryAfter: number;
  /** Whether the limit is full only of attempts whose outcome is not known yet. */
  inFlight: boolean;
}

/**
 * One throttle, its counters in PostgreSQL so every replica shares them
 * (rate-limiter-flexible's RateLimiterPostgres: one atomic upsert per
 * attempt). Up to `max` attempts per window; the one after that blocks the
 * key for a whole window, and then it is free again: no permanent lockout.
 *
 * Attempts are counted before they run, so parallel ones cannot slip past
 * the limit, and a limit of failures (logins) gives an attempt its point
 * back when it turns out not to be one. Such a limit also counts, apart,
 * the failures settled so far: when it refuses, it can then tell a key
 * full of failures (wait for the block to end) from one full of attempts
 * still running, whose success may free it (retry in a second), so the
 * Retry-After tells the truth. An attempt refused for attempts in flight
 * takes nothing and blocks nothing: it was never made.
 *
 * The block is an expiry pushed a window out, never an absolute write of
 * the count: rate-limiter-flexible's own block (`blockDuration`) sets the
 * points it saw, and raced with concurrent give-backs it loses some, which
 * let attempts past a full limit.
 *
 * Keys are HMACs of the value under a server secret: the table never holds
 * usernames (a failed login's username is often a password typed into the
 * wrong field) or client addresses in clear.
 *
 * Store failures reject with the database's own error, so the caller's
 * dependency mapping answers 503: when the counters cannot be read, logins
 * fail closed, as they would anyway without the users table.
 */
export class Limit {
  readonly #pool: Pool;
  readonly #limiter: RateLimiterPostgres;
  readonly #countsFailures: boolean;
  readonly #secret: string;

  constructor(
    readonly name: LimitName,
    pool: Pool,
    readonly setting: RateLimitSetting,
    secret: string,
    { countsFailures = false }: { countsFailures?: boolean } = {},
  ) {
    this.#pool = pool;
    this.#secret = secret;
    this.#countsFailures = countsFailures;
    this.#limiter = new RateLimiterPostgres({
      storeClient: pool,
      storeType: 'pool',
      tableName: RATE_LIMIT_TABLE,
      // The migration made the table: no DDL at runtime, and no race between replicas making it.
      tableCreated: true,
      // Pruning is RateLimits' timer, which close() can stop.
      clearExpiredByTimeout: false,
      keyPrefix: name,
      points: setting.max,
      duration: setting.windowSeconds,
    });
  }

  /**
   * Counts one attempt before it is made (so parallel attempts cannot all
   * slip under the limit). Resolves `undefined` when allowed, or why not.
   *
   * The attempt that takes the key over its limit places the block in the
   * very statement that counts it, under the row's lock: every attempt
   * counted after it, however close behind, reads the block's end, never
   * the old window's (placed a round trip later, racing attempts were told
   * the old window's few seconds left). Later attempts keep their point, so
   * the count stays over and the block does not slide with them.
   */
  async take(value: string): Promise<Refusal | undefined> {
    const [counted, failures] = this.#rows(value);
    const now = Date.now();
    const { rows } = await this.#pool.query<{ points: number; expire: string; failures: number }>(
      COUNT_ATTEMPT,
      [
        counted,
        failures,
        now,
        this.setting.windowSeconds * 1000,
        this.setting.max,
        this.#countsFailures,
      ],
    );
    const row = rows[0];
    if (row === undefined) throw new Error('counting an attempt returned no row');
    if (row.points <= this.setting.max) return undefined;
    const refusal = this.#refusal(Number(row.expire) - Date.now(), row.failures);
    if (refusal.inFlight) await this.giveBack(value);
    return refusal;
  }

  /**
   * Reads, without counting anything, whether the key is over the limit now.
   * Resolves `undefined` when an attempt would be counted, or why not.
   */
  async blockedFor(value: string): Promise<Refusal | undefined> {
    const state = await this.#limiter.get(this.#key(value));
    if (state === null || state.consumedPoints <= this.setting.max) return undefined;
    return this.#explain(value, state);
  }

  /** Uncounts an attempt that turned out not to be one that should count. */
  async giveBack(value: string): Promise<void> {
    await this.#limiter.reward(this.#key(value), 1);
  }

  /**
   * Records that a counted attempt failed: its point stays, and is now a
   * settled failure. The failures' row shares the attempts' window (its
   * expiry), so the two counts always cover the same attempts.
   */
  async failed(value: string): Promise<void> {
    if (!this.#countsFailures) return;
    const [counted, failures] = this.#rows(value);
    await this.#pool.query(
      `INSERT INTO ${RATE_LIMIT_TABLE} (key, points, expire)
       SELECT $2, 1, counted.expire FROM ${RATE_LIMIT_TABLE} counted WHERE counted.key = $1
       ON CONFLICT (key) DO UPDATE SET
         points = CASE WHEN ${RATE_LIMIT_TABLE}.expire <= $3 THEN 1
                       ELSE ${RATE_LIMIT_TABLE}.points + 1 END,
         expire = EXCLUDED.expire`,
      [counted, failures, Date.now()],
    );
  }

  /** Forgets every attempt on `value` (a successful login resets its account). */
  async clear(value: string): Promise<void> {
    await this.#pool.query(`DELETE FROM ${RATE_LIMIT_TABLE} WHERE key = ANY($1::text[])`, [
      this.#rows(value),
    ]);
  }

  /** Why a key over its limit refuses: full of settled failures, or of attempts in flight. */
  async #explain(value: string, state: RateLimiterRes): Promise<Refusal> {
    if (!this.#countsFailures) return this.#refusal(state.msBeforeNext, this.setting.max);
    const { rows } = await this.#pool.query<{ points: number }>(
      `SELECT points FROM ${RATE_LIMIT_TABLE} WHERE key = $1 AND expire > $2`,
      [this.#rows(value)[1], Date.now()],
    );
    return this.#refusal(state.msBeforeNext, rows[0]?.points ?? 0);
  }

  /** A refusal, given the ms before the key's window ends and its settled failures. */
  #refusal(msBeforeNext: number, failures: number): Refusal {
    return this.#countsFailures && failures < this.setting.max
      ? { retryAfter: IN_FLIGHT_RETRY_AFTER, inFlight: true }
      : { retryAfter: secondsToWait(msBeforeNext), inFlight: false };
  }

  /** The table keys of `value`: its counted attempts, and its settled failures. */
  #rows(value: string): [string, string] {
    const key = this.#key(value);
    return [this.#limiter.getKey(key), `${this.name}_failed:${key}`];
  }

  #key(value: string): string {
    return createHmac('sha256', this.#secret).update(`${this.name}\0${value}`).digest('base64url');
  }
}

/** Retry-After for a key over its limit: whole seconds, at least one. */
function secondsToWait(msBeforeNext: number): number {
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}

/**
 * One attempt counted, as RateLimiterPostgres's consume counts it (a new
 * window when the row has expired), and the block placed in the same
 * statement when this attempt is the one over the limit ($5 + 1) and, for a
 * limit of failures ($6), the failures settled so far fill it: the key's
 * row and its failures' row both expire a whole window out. Returns the
 * count, the key's expiry, and the failures it was decided on.
 *
 * $1 the attempts' key, $2 the failures' key, $3 now (epoch ms), $4 the
 * window (ms), $5 max, $6 whether the limit counts failures.
 */
const COUNT_ATTEMPT = `
  WITH failures AS (
    SELECT COALESCE(MAX(points), 0)::int AS points
      FROM ${RATE_LIMIT_TABLE} WHERE key = $2 AND expire > $3::bigint
  ), counted AS (
    INSERT INTO ${RATE_LIMIT_TABLE} AS r (key, points, expire)
    VALUES ($1, 1, $3::bigint + $4::bigint)
    ON CONFLICT (key) DO UPDATE SET
      points = CASE WHEN r.expire <= $3::bigint THEN 1 ELSE r.points + 1 END,
      expire = CASE
        WHEN r.expire <= $3::bigint THEN $3::bigint + $4::bigint
        WHEN r.points + 1 = $5::int + 1
             AND (NOT $6::boolean OR (SELECT points FROM failures) >= $5::int)
          THEN GREATEST(r.expire, $3::bigint + $4::bigint)
        ELSE r.expire
      END
    RETURNING r.points, r.expire
  ), failures_blocked AS (
    UPDATE ${RATE_LIMIT_TABLE} f SET expire = GREATEST(f.expire, counted.expire)
      FROM counted
     WHERE f.key = $2 AND $6::boolean AND counted.points = $5::int + 1
       AND (SELECT points FROM failures) >= $5::int
  )
  SELECT counted.points, counted.expire, (SELECT points FROM failures) AS failures FROM counted`;

/** Every throttle of the service, and the timer that prunes expired counters. */
export interface RateLimits {
  loginAccount: Limit;
  loginAddress: Limit;
  registrationAddress: Limit;
  /** Starts deleting expired counters every few minutes (building the limits starts no timer). */
  start(): void;
  /** Stops pruning. The pool belongs to the caller. */
  close(): void;
}

export interface RateLimitOptions {
  /** Keys are HMAC-SHA-256 under this secret. */
  secret: string;
  logger: Logger;
  /** How often expired counters are deleted. */
  pruneIntervalMs?: number;
}

export function createRateLimits(
  pool: Pool,
  settings: RateLimitSettings,
  { secret, logger, pruneIntervalMs = 5 * 60_000 }: RateLimitOptions,
): RateLimits {
  let prune: NodeJS.Timeout | undefined;
  return {
    // Limits of failures: a login's point comes back unless it failed (see Limit).
    loginAccount: new Limit('login_account', pool, settings.loginAccount, secret, {
      countsFailures: true,
    }),
    loginAddress: new Limit('login_address', pool, settings.loginAddress, secret, {
      countsFailures: true,
    }),
    registrationAddress: new Limit(
      'registration_address',
      pool,
      settings.registrationAddress,
      secret,
    ),
    start() {
      prune ??= setInterval(() => {
        pool
          .query(`DELETE FROM ${RATE_LIMIT_TABLE} WHERE expire < $1`, [Date.now()])
          .catch((error: unknown) => logger.debug({ err: error }, 'rate-limit pruning failed'));
      }, pruneIntervalMs);
      prune.unref();
    },
    close() {
      clearInterval(prune);
    },
  };
}
