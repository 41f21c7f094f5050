/** How the JWKS is fetched and cached. Defaults: `JWKS_DEFAULTS`. */
export interface JwksSettings {
  /** The issuer's JWKS (`JWKS_URL`). */
  readonly url: string;
  /** Timeout of one fetch, headers and body, ms (`JWKS_TIMEOUT_MS`). */
  readonly timeoutMs: number;
  /** Least time between two fetches caused by an unknown `kid`, or between retries after a failure, ms (`JWKS_COOLDOWN_MS`). */
  readonly cooldownMs: number;
  /** Cache lifetime when the response has no usable `max-age`, seconds (`JWKS_DEFAULT_TTL`). */
  readonly defaultTtl: number;
  /** Bounds applied to the response's `max-age`, seconds (`JWKS_MIN_TTL`, `JWKS_MAX_TTL`). */
  readonly minTtl: number;
  readonly maxTtl: number;
  /** How long past its lifetime a key set is still used while the endpoint fails, seconds (`JWKS_MAX_STALE`). */
  readonly maxStale: number;
}

/** The resource service's documented defaults. */
export const JWKS_DEFAULTS = {
  timeoutMs: 3000,
  cooldownMs: 30_000,
  defaultTtl: 300,
  minTtl: 30,
  maxTtl: 3600,
  maxStale: 3600,
} as const satisfies Omit<JwksSettings, 'url'>;
