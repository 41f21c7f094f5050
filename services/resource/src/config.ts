import { REVOCATION_FEED_PATH } from '@authpair/contracts';
import {
  assessSecrets,
  ConfigError,
  DEFAULT_SHUTDOWN_DELAY_MS,
  envVar,
  LOG_LEVELS,
  type MetricsListener,
  metricsListenerOf,
  parseEnv,
} from '@authpair/service-kit';

/** Every setting of the resource service, each from one environment variable (see README). */
const shape = {
  PORT: envVar.int(4001, 0, 65535),
  HOST: envVar.string('0.0.0.0'),
  LOG_LEVEL: envVar.oneOf(LOG_LEVELS, 'info'),
  METRICS_PORT: envVar.optionalInt(0, 65535),
  METRICS_HOST: envVar.string().optional(),
  SHUTDOWN_DELAY_MS: envVar.int(DEFAULT_SHUTDOWN_DELAY_MS, 0, 300_000),
  JWKS_URL: envVar.url('http://localhost:4000/.well-known/jwks.json'),
  JWT_ISSUER: envVar.url('http://localhost:4000'),
  JWT_AUDIENCE: envVar.string('authpair-resource'),
  AUTH_REALM: envVar.string('authpair'),
  CLOCK_TOLERANCE: envVar.int(5, 0, 30),
  ACCESS_TOKEN_MAX_AGE: envVar.int(3600, 60, 86_400),
  VERIFIED_TOKEN_CACHE_SIZE: envVar.int(10_000, 0, 1_000_000),
  JWKS_TIMEOUT_MS: envVar.int(3000, 100, 30_000),
  JWKS_COOLDOWN_MS: envVar.int(30_000, 0, 3_600_000),
  JWKS_DEFAULT_TTL: envVar.int(300, 0, 86_400),
  JWKS_MIN_TTL: envVar.int(30, 0, 86_400),
  JWKS_MAX_TTL: envVar.int(3600, 0, 86_400),
  JWKS_MAX_STALE: envVar.int(3600, 0, 7 * 86_400),
  REVOCATION_FEED_URL: envVar.url().optional(),
  REVOCATION_FEED_TOKEN: envVar.secret(32),
  REVOCATION_POLL_INTERVAL_MS: envVar.int(1000, 100, 60_000),
  REVOCATION_MAX_LAG_MS: envVar.int(10_000, 500, 3_600_000),
  REVOCATION_TIMEOUT_MS: envVar.int(2000, 100, 30_000),
  REVOCATION_FAIL_MODE: envVar.oneOf(['closed', 'open'], 'closed'),
  CORS_ALLOWED_ORIGINS: envVar.origins(),
  // `production` refuses public and weak secrets (see service-kit/src/secrets.ts).
  NODE_ENV: envVar.string('development'),
  ALLOW_PUBLIC_SECRETS: envVar.bool(false),
};

/** The resource service's validated, immutable configuration. */
export interface ResourceConfig {
  readonly port: number;
  readonly host: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** Where `/metrics` is served instead of the public port; undefined: on the public port. */
  readonly metricsListener: MetricsListener | undefined;
  /** On SIGTERM, how long the instance reports unready while still serving before its listener closes, ms. */
  readonly shutdownDelayMs: number;
  readonly realm: string;
  /** Origins allowed to call from a browser (CORS); empty: CORS off. */
  readonly corsAllowedOrigins: readonly string[];
  readonly tokens: {
    readonly issuer: string;
    readonly audience: string;
    /** Seconds of clock skew allowed on `exp`, `nbf` and `iat`. */
    readonly clockTolerance: number;
    /** Oldest `iat` accepted, seconds: bounds a token whatever its `exp` says. */
    readonly maxTokenAge: number;
    /** Tokens whose verified claims are kept in memory (0: verify every request in full). */
    readonly verifiedCacheSize: number;
  };
  readonly jwks: {
    readonly url: string;
    readonly timeoutMs: number;
    /** Least time between two fetches caused by an unknown `kid`, or between retries after a failure. */
    readonly cooldownMs: number;
    /** Cache lifetime when the response has no usable `max-age`, seconds. */
    readonly defaultTtl: number;
    /** Bounds applied to the response's `max-age`, seconds. */
    readonly minTtl: number;
    readonly maxTtl: number;
    /** How long past its lifetime a key set is still used while the endpoint fails, seconds. */
    readonly maxStale: number;
  };
  readonly revocations: {
    /** The auth service's revocation feed. */
    readonly url: string;
    /** The shared bearer secret the feed requires. */
    readonly token: string;
    readonly pollIntervalMs: number;
    /** How long the feed may go unread before tokens are refused (or, failing open, before readiness says so). */
    readonly maxLagMs: number;
    readonly timeoutMs: number;
    /** Refuse tokens (503) once the feed is older than `maxLagMs` (ASVS 16.5), rather than accept them. */
    readonly failClosed: boolean;
  };
  /** Secret variables holding a value published in this repository, accepted (ALLOW_PUBLIC_SECRETS, or not production). */
  readonly publicSecrets: readonly string[];
}

export function loadResourceConfig(
  env: Record<string, string | undefined> = process.env,
): ResourceConfig {
  const secrets = assessSecrets(env, { REVOCATION_FEED_TOKEN: 'text' });
  const vars = parseEnv(shape, env, secrets.issues);
  if (vars.REVOCATION_MAX_LAG_MS <= vars.REVOCATION_POLL_INTERVAL_MS)
    throw new ConfigError([
      {
        variable: 'REVOCATION_MAX_LAG_MS',
        reason: 'must be greater than REVOCATION_POLL_INTERVAL_MS',
      },
    ]);
  return Object.freeze({
    port: vars.PORT,
    host: vars.HOST,
    logLevel: vars.LOG_LEVEL,
    metricsListener: metricsListenerOf(vars),
    shutdownDelayMs: vars.SHUTDOWN_DELAY_MS,
    realm: vars.AUTH_REALM,
    corsAllowedOrigins: Object.freeze(vars.CORS_ALLOWED_ORIGINS),
    tokens: Object.freeze({
      issuer: vars.JWT_ISSUER,
      audience: vars.JWT_AUDIENCE,
      clockTolerance: vars.CLOCK_TOLERANCE,
      maxTokenAge: vars.ACCESS_TOKEN_MAX_AGE,
      verifiedCacheSize: vars.VERIFIED_TOKEN_CACHE_SIZE,
    }),
    jwks: Object.freeze({
      url: vars.JWKS_URL,
      timeoutMs: vars.JWKS_TIMEOUT_MS,
      cooldownMs: vars.JWKS_COOLDOWN_MS,
      defaultTtl: vars.JWKS_DEFAULT_TTL,
      minTtl: Math.min(vars.JWKS_MIN_TTL, vars.JWKS_MAX_TTL),
      maxTtl: vars.JWKS_MAX_TTL,
      maxStale: vars.JWKS_MAX_STALE,
    }),
    revocations: Object.freeze({
      // By default the feed is on the host that serves the JWKS: the auth service.
      url: vars.REVOCATION_FEED_URL ?? new URL(REVOCATION_FEED_PATH, vars.JWKS_URL).toString(),
      token: vars.REVOCATION_FEED_TOKEN,
      pollIntervalMs: vars.REVOCATION_POLL_INTERVAL_MS,
      maxLagMs: vars.REVOCATION_MAX_LAG_MS,
      timeoutMs: vars.REVOCATION_TIMEOUT_MS,
      failClosed: vars.REVOCATION_FAIL_MODE === 'closed',
    }),
    publicSecrets: Object.freeze(secrets.publicInUse),
  });
}
