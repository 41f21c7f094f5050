import { createHmac } from 'node:crypto';
import type { Logger } from '@authpair/service-kit';
import type { Pool } from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { AuthConfig, RateLimitSetting } from '../config';

/** The counters' table, created by migration 0005 in the layout RateLimiterPostgres expects. */
export const RATE_LIMIT_TABLE = 'rate_limits';

/** The throttles, by the name they carry in metrics and logs. */
export type LimitName = 'login_account' | 'login_address' | 'registration_address';

/**
 * One throttle, its counters in PostgreSQL so every replica shares them
 * (rate-limiter-flexible's RateLimiterPostgres: one atomic upsert per
 * attempt). Up to `max` attempts per window; the one after that blocks the
 * key for a whole window, and then it is free again: no permanent lockout.
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
  readonly #limiter: RateLimiterPostgres;
  readonly #secret: string;

  constructor(
    readonly name: LimitName,
    pool: Pool,
    readonly setting: RateLimitSetting,
    secret: string,
  ) {
    this.#secret = secret;
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
      blockDuration: setting.windowSeconds,
    });
  }

  /**
   * Counts one attempt before it is made (so parallel attempts cannot all
   * slip under the limit). Resolves `undefined` when allowed, or the whole
   * seconds to wait when over the limit.
   */
  async take(value: string): Promise<number | undefined> {
    try {
      await this.#limiter.consume(this.#key(value));
      return undefined;
    } catch (error) {
      if (error instanceof RateLimiterRes) return secondsToWait(error);
      throw error;
    }
  }

  /**
   * Reads, without counting anything, whether the key is over the limit now.
   * Resolves `undefined` when an attempt would be counted, or the whole
   * seconds to wait.
   */
  async blockedFor(value: string): Promise<number | undefined> {
    const state = await this.#limiter.get(this.#key(value));
    if (state === null || state.consumedPoints <= this.setting.max) return undefined;
    return secondsToWait(state);
  }

  /** Uncounts an attempt that turned out not to be one that should count. */
  async giveBack(value: string): Promise<void> {
    await this.#limiter.reward(this.#key(value), 1);
  }

  /** Forgets every attempt on `value` (a successful login resets its account). */
  async clear(value: string): Promise<void> {
    await this.#limiter.delete(this.#key(value));
  }

  #key(value: string): string {
    return createHmac('sha256', this.#secret).update(`${this.name}\0${value}`).digest('base64url');
  }
}

/** Retry-After for a key over its limit: whole seconds, at least one. */
function secondsToWait(state: RateLimiterRes): number {
  return Math.max(1, Math.ceil(state.msBeforeNext / 1000));
}

/** Every throttle of the service, and the timer that prunes expired counters. */
export interface RateLimits {
  loginAccount: Limit;
  loginAddress: Limit;
  registrationAddress: Limit;
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
  settings: AuthConfig['rateLimits'],
  { secret, logger, pruneIntervalMs = 5 * 60_000 }: RateLimitOptions,
): RateLimits {
  const prune = setInterval(() => {
    pool
      .query(`DELETE FROM ${RATE_LIMIT_TABLE} WHERE expire < $1`, [Date.now()])
      .catch((error: unknown) => logger.debug({ err: error }, 'rate-limit pruning failed'));
  }, pruneIntervalMs);
  prune.unref();
  return {
    loginAccount: new Limit('login_account', pool, settings.loginAccount, secret),
    loginAddress: new Limit('login_address', pool, settings.loginAddress, secret),
    registrationAddress: new Limit(
      'registration_address',
      pool,
      settings.registrationAddress,
      secret,
    ),
    close() {
      clearInterval(prune);
    },
  };
}
