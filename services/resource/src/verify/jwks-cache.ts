import { createPublicKey, type KeyObject } from 'node:crypto';
import { parseJwkSet } from '@authpair/contracts';
import type { Logger } from '@authpair/service-kit';
import type { ResourceConfig } from '../config';
import { InvalidTokenError, JwksUnavailableError } from './errors';

/** Bytes of JWKS response read at most; a real set of a few keys is a few KB. */
const MAX_RESPONSE_BYTES = 512 * 1024;

/** What `/readyz` and metrics report about the cache. */
export type JwksStatus = 'never_fetched' | 'fresh' | 'stale' | 'expired';

export interface JwksSnapshot {
  status: JwksStatus;
  keys: number;
  fetchedAt: string | undefined;
  expiresAt: string | undefined;
  lastError: string | undefined;
}

export interface JwksCounters {
  fetches: number;
  failures: number;
  unknownKid: number;
}

type Fetch = typeof fetch;

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
  readonly #options: ResourceConfig['jwks'];
  readonly #logger: Logger;
  readonly #fetch: Fetch;
  #keys = new Map<string, KeyObject>();
  #fetchedAt: number | undefined;
  #expiresAt = 0;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #lastAttemptFailed = false;
  #lastError: string | undefined;
  #inflight: Promise<boolean> | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly counters: JwksCounters = { fetches: 0, failures: 0, unknownKid: 0 };

  constructor(options: ResourceConfig['jwks'], logger: Logger, fetchImpl: Fetch = fetch) {
    this.#options = options;
    this.#logger = logger;
    this.#fetch = fetchImpl;
  }

  /** Fetches once now (a failure is logged, not thrown) and keeps the set fresh in the background. */
  async start(): Promise<void> {
    await this.refresh();
    this.#schedule();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * The public key for `kid`. Throws InvalidTokenError when the issuer does
   * not publish it, JwksUnavailableError when that cannot be known now.
   */
  async getKey(kid: string): Promise<KeyObject> {
    const now = Date.now();
    if (this.#usable(now)) {
      const known = this.#keys.get(kid);
      if (known !== undefined) {
        if (now > this.#expiresAt) this.#refreshInBackground();
        return known;
      }
    }
    // Join a fetch already running, or start one if the cooldown allows.
    if (this.#inflight !== undefined || this.#cooledDown(now)) {
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
    throw new InvalidTokenError('the signing key is not known');
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
    const untilExpiry = this.#expiresAt - Date.now();
    // Refresh shortly before expiry; after a failure, retry once the cooldown allows.
    const delay = this.#lastAttemptFailed
      ? Math.max(1000, this.#options.cooldownMs)
      : Math.max(1000, untilExpiry - Math.min(5000, untilExpiry / 10));
    this.#timer = setTimeout(() => {
      void this.refresh().finally(() => {
        if (this.#timer !== undefined) this.#schedule();
      });
    }, delay);
    this.#timer.unref();
  }

  async #fetchAndReplace(): Promise<boolean> {
    this.#lastAttemptAt = Date.now();
    this.counters.fetches += 1;
    try {
      const { keys, ttlSeconds } = await this.#download();
      this.#keys = keys;
      this.#fetchedAt = Date.now();
      this.#expiresAt = this.#fetchedAt + ttlSeconds * 1000;
      this.#lastAttemptFailed = false;
      this.#lastError = undefined;
      return true;
    } catch (error) {
      this.counters.failures += 1;
      this.#lastAttemptFailed = true;
      this.#lastError = error instanceof Error ? error.message : String(error);
      this.#logger.warn({ err: error, url: this.#options.url }, 'JWKS fetch failed');
      return false;
    }
  }

  async #download(): Promise<{ keys: Map<string, KeyObject>; ttlSeconds: number }> {
    const response = await this.#fetch(this.#options.url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(this.#options.timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`JWKS endpoint answered ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > MAX_RESPONSE_BYTES) {
      await response.body?.cancel();
      throw new Error('JWKS response is too large');
    }
    const text = await response.text();
    if (text.length > MAX_RESPONSE_BYTES) throw new Error('JWKS response is too large');
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new Error('JWKS response is not JSON');
    }
    const parsed = parseJwkSet(document);
    if (parsed.keys.length === 0) throw new Error('JWKS response has no usable RS256 key');
    const keys = new Map<string, KeyObject>();
    for (const jwk of parsed.keys) {
      keys.set(
        jwk.kid,
        createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' }),
      );
    }
    return { keys, ttlSeconds: this.#ttlFrom(response.headers.get('cache-control')) };
  }

  #ttlFrom(cacheControl: string | null): number {
    const { defaultTtl, minTtl, maxTtl } = this.#options;
    if (cacheControl === null) return defaultTtl;
    if (/\b(no-store|no-cache)\b/i.test(cacheControl)) return minTtl;
    const match = /\bmax-age=(\d+)\b/i.exec(cacheControl);
    if (match === null) return defaultTtl;
    return Math.min(maxTtl, Math.max(minTtl, Number(match[1])));
  }
}
