import type { KeyObject } from 'node:crypto';
import { InvalidTokenError, JwksUnavailableError } from '../errors';
import type { VerifierLogger } from '../logger';
import { downloadJwks, type JwksFailureReason, JwksFetchError } from './jwks-fetch';
import type { JwksSettings } from './jwks-settings';

/** What `/readyz` and metrics report about the cache. */
export type JwksStatus = 'never_fetched' | 'fresh' | 'stale' | 'expired';

export interface JwksSnapshot {
  status: JwksStatus;
  keys: number;
  fetchedAt: string | undefined;
  expiresAt: string | undefined;
  /** Past `expiresAt`, cached keys keep verifying (stale-if-error) until this moment. */
  usableUntil: string | undefined;
  lastError: string | undefined;
}

export interface JwksCounters {
  fetches: number;
  failures: number;
  unknownKid: number;
}

type Fetch = typeof fetch;

/** Hooks for metrics; the cache itself knows nothing of Prometheus. */
export interface JwksObserver {
  /** A fetch finished: `reason` is set when it failed. */
  fetched?(seconds: number, reason?: JwksFailureReason): void;
  /** A token named a kid the fresh key set does not hold (answered 401). */
  unknownKid?(): void;
}

/**
 * The issuer's key set, fetched over HTTP and held in memory, with an
 * explicit policy (jose's createRemoteJWKSet fails every token once its
 * cache is stale and the endpoint is down; this does not):
 *
 * - Lifetime: the response's `max-age`, clamped to [minTtl, maxTtl];
 *   `defaultTtl` when absent.
 * - Stale-if-error: past its lifetime the set is refreshed in the
 *   background while the old keys keep verifying, for up to `maxStale`.
 * - Unknown `kid`: at most one refetch per `cooldown`, single-flight, so a
 *   flood of tokens with invented kids costs one request to the issuer.
 * - Failure: a set that cannot be fetched (down, slow past `timeout`, not
 *   JSON, no usable key) leaves the cached keys in place; a token whose key
 *   is unknown then gets JwksUnavailableError (503), not a 401.
 */
export class JwksCache {
  readonly #options: JwksSettings;
  readonly #logger: VerifierLogger;
  readonly #fetch: Fetch;
  readonly #observer: JwksObserver;
  #keys = new Map<string, KeyObject>();
  #fetchedAt: number | undefined;
  #expiresAt = 0;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #lastAttemptFailed = false;
  #lastError: string | undefined;
  #inflight: Promise<boolean> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Between start() and stop(): a stop during the first fetch must not be undone by its end. */
  #running = false;
  readonly counters: JwksCounters = { fetches: 0, failures: 0, unknownKid: 0 };

  constructor(
    options: JwksSettings,
    logger: VerifierLogger,
    fetchImpl: Fetch = fetch,
    observer: JwksObserver = {},
  ) {
    this.#options = options;
    this.#logger = logger;
    this.#fetch = fetchImpl;
    this.#observer = observer;
  }

  /** Fetches once now (a failure is logged, not thrown) and keeps the set fresh in the background. */
  async start(): Promise<void> {
    this.#running = true;
    await this.refresh();
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * The key `kid` names in the usable key set, at once, or `undefined`
   * when only `getKey` can tell (a fetch, a refusal). The verifier's hot
   * path: a known key costs no promise. Past the set's max age it starts
   * a refresh in the background, as `getKey` does.
   */
  knownKey(kid: string): KeyObject | undefined {
    const now = Date.now();
    if (!this.#usable(now)) return undefined;
    const known = this.#keys.get(kid);
    if (known !== undefined && now > this.#expiresAt) this.#refreshInBackground();
    return known;
  }

  /**
   * The public key for `kid`. Throws InvalidTokenError when the issuer does
   * not publish it, JwksUnavailableError when that cannot be known now.
   */
  async getKey(kid: string): Promise<KeyObject> {
    const known = this.knownKey(kid);
    if (known !== undefined) return known;
    // Join a fetch already running, or start one if the cooldown allows.
    if (this.#inflight !== undefined || this.#cooledDown(Date.now())) {
      await this.refresh();
      const key = this.#usable(Date.now()) ? this.#keys.get(kid) : undefined;
      if (key !== undefined) return key;
    }
    if (this.#lastAttemptFailed || !this.#usable(Date.now())) {
      throw new JwksUnavailableError(
        'the signing keys cannot be fetched',
        this.#retryAfterSeconds(),
      );
    }
    this.counters.unknownKid += 1;
    this.#observer.unknownKid?.();
    throw new InvalidTokenError('the signing key is not known');
  }

  /**
   * Whether `kid` names `key` in the usable key set right now, without
   * fetching: what a verified-token cache hit must still be true of. Like a
   * lookup, it starts a background refresh when the set is past its lifetime.
   */
  holds(kid: string, key: KeyObject): boolean {
    const now = Date.now();
    if (!this.#usable(now) || this.#keys.get(kid) !== key) return false;
    if (now > this.#expiresAt) this.#refreshInBackground();
    return true;
  }

  /** Fetches the set now unless a fetch is already running; resolves `true` when the set was replaced. */
  refresh(): Promise<boolean> {
    this.#inflight ??= this.#fetchAndReplace().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  snapshot(): JwksSnapshot {
    const now = Date.now();
    let status: JwksStatus = 'never_fetched';
    if (this.#fetchedAt !== undefined) {
      if (now <= this.#expiresAt) status = 'fresh';
      else if (this.#usable(now)) status = 'stale';
      else status = 'expired';
    }
    return {
      status,
      keys: this.#keys.size,
      fetchedAt:
        this.#fetchedAt === undefined ? undefined : new Date(this.#fetchedAt).toISOString(),
      expiresAt:
        this.#fetchedAt === undefined ? undefined : new Date(this.#expiresAt).toISOString(),
      usableUntil:
        this.#fetchedAt === undefined
          ? undefined
          : new Date(this.#expiresAt + this.#options.maxStale * 1000).toISOString(),
      lastError: this.#lastError,
    };
  }

  /** Keys were fetched once and are not older than their lifetime plus the stale allowance. */
  #usable(now: number): boolean {
    return this.#fetchedAt !== undefined && now <= this.#expiresAt + this.#options.maxStale * 1000;
  }

  #cooledDown(now: number): boolean {
    return now - this.#lastAttemptAt >= this.#options.cooldownMs;
  }

  #retryAfterSeconds(): number {
    const wait = this.#lastAttemptAt + this.#options.cooldownMs - Date.now();
    return Math.max(1, Math.ceil(wait / 1000));
  }

  #refreshInBackground(): void {
    if (this.#inflight === undefined && this.#cooledDown(Date.now())) void this.refresh();
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    if (!this.#running) return;
    const untilExpiry = this.#expiresAt - Date.now();
    // Refresh shortly before expiry; after a failure, retry once the cooldown allows.
    const delay = this.#lastAttemptFailed
      ? Math.max(1000, this.#options.cooldownMs)
      : Math.max(1000, untilExpiry - Math.min(5000, untilExpiry / 10));
    this.#timer = setTimeout(() => {
      void this.refresh().finally(() => this.#schedule());
    }, delay);
    this.#timer.unref();
  }

  async #fetchAndReplace(): Promise<boolean> {
    const startedAt = Date.now();
    this.#lastAttemptAt = startedAt;
    this.counters.fetches += 1;
    try {
      const { keys, ttlSeconds } = await downloadJwks(this.#fetch, this.#options);
      // An unchanged key stays the same object, so what it verified stays cached (holds()).
      for (const [kid, key] of keys) {
        const previous = this.#keys.get(kid);
        if (previous?.equals(key)) keys.set(kid, previous);
      }
      this.#keys = keys;
      this.#fetchedAt = Date.now();
      this.#expiresAt = this.#fetchedAt + ttlSeconds * 1000;
      this.#lastAttemptFailed = false;
      this.#lastError = undefined;
      this.#observer.fetched?.((Date.now() - startedAt) / 1000);
      return true;
    } catch (error) {
      const reason = error instanceof JwksFetchError ? error.reason : 'network';
      this.counters.failures += 1;
      this.#lastAttemptFailed = true;
      this.#lastError = error instanceof Error ? error.message : String(error);
      this.#observer.fetched?.((Date.now() - startedAt) / 1000, reason);
      this.#logger.warn({ err: error, reason, url: this.#options.url }, 'JWKS fetch failed');
      return false;
    }
  }
}
