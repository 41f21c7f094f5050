import {
  assessSecrets,
  ConfigError,
  DEFAULT_SHUTDOWN_DELAY_MS,
  envVar,
  LOG_LEVELS,
  type MetricsListener,
  metricsListenerOf,
  parseEnv,
  type SecretSpec,
} from '@authpair/service-kit';
import { z } from 'zod';
import type { DatabaseSettings } from './db/pool';
import { parseKeyEncryptionKeys } from './keys/key-encryption';
import type { KeySettings } from './keys/key-settings';
import type { RateLimitSetting, RateLimitSettings } from './rate-limit/limits';
import type { SessionSettings } from './sessions/session-settings';
import type { TokenSettings } from './tokens/token-settings';

/** `KEY_ENCRYPTION_KEYS`: `id:base64,…`, current first (see keys/key-encryption.ts). */
const keyEncryptionKeys = z.string({ error: 'is required' }).transform((value, ctx) => {
  const parsed = parseKeyEncryptionKeys(value);
  if (!Array.isArray(parsed)) return parsed;
  for (const message of parsed) ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
});

const DAY = 86_400;

/** Every setting of the auth service, each from one environment variable (see README). */
const shape = {
  PORT: envVar.int(4000, 0, 65535),
  HOST: envVar.string('0.0.0.0'),
  LOG_LEVEL: envVar.oneOf(LOG_LEVELS, 'info'),
  METRICS_PORT: envVar.optionalInt(0, 65535),
  METRICS_HOST: envVar.string().optional(),
  INTERNAL_PORT: envVar.optionalInt(0, 65535),
  SHUTDOWN_DELAY_MS: envVar.int(DEFAULT_SHUTDOWN_DELAY_MS, 0, 300_000),
  DATABASE_URL: envVar.string(),
  DB_POOL_MAX: envVar.int(10, 1, 200),
  DB_CONNECT_TIMEOUT_MS: envVar.int(3000, 100, 60_000),
  DB_STATEMENT_TIMEOUT_MS: envVar.int(5000, 100, 600_000),
  DB_STARTUP_TIMEOUT_MS: envVar.int(30_000, 0, 600_000),
  JWT_ISSUER: envVar.url('http://localhost:4000'),
  JWT_AUDIENCE: envVar.string('authpair-resource'),
  TOKEN_CLIENT_ID: envVar.string('authpair'),
  ACCESS_TOKEN_TTL: envVar.int(900, 30, 86_400),
  OWN_TOKEN_CLOCK_TOLERANCE: envVar.int(5, 0, 30),
  REFRESH_TOKEN_TTL: envVar.int(14 * DAY, 1, 400 * DAY),
  SESSION_MAX_AGE: envVar.int(90 * DAY, 1, 400 * DAY),
  REFRESH_REUSE_GRACE_SECONDS: envVar.int(5, 0, 60),
  SESSION_RETENTION_DAYS: envVar.int(30, 0, 3650),
  SESSION_MAX_PER_USER: envVar.int(100, 1, 10_000),
  BCRYPT_COST: envVar.int(12, 10, 15),
  PASSWORD_PEPPER: envVar.secret(16),
  REVOCATION_FEED_TOKEN: envVar.secret(32),
  REFRESH_TOKEN_SECRET: envVar.secretList(32),
  AUTH_REALM: envVar.string('authpair'),
  SIGNING_KEY_BITS: envVar.int(2048, 2048, 8192),
  JWKS_MAX_AGE: envVar.int(300, 0, 86_400),
  KEY_ENCRYPTION_KEYS: keyEncryptionKeys,
  SIGNING_KEY_ROTATION_DAYS: envVar.int(90, 0, 3650),
  SIGNING_KEY_REFRESH_MS: envVar.int(10_000, 100, 300_000),
  VERIFIER_JWKS_MAX_TTL: envVar.int(600, 0, 86_400),
  VERIFIER_JWKS_COOLDOWN: envVar.int(30, 0, 3600),
  VERIFIER_CLOCK_TOLERANCE: envVar.int(60, 0, 600),
  TRUST_PROXY: envVar.bool(false),
  TRUST_PROXY_HOPS: envVar.int(1, 1, 32),
  PROXY_IP_HEADER: envVar.string('X-Forwarded-For'),
  CORS_ALLOWED_ORIGINS: envVar.origins(),
  // NIST SP 800-63B §5.2.2: at most 100 consecutive failures per account.
  LOGIN_ACCOUNT_MAX_FAILURES: envVar.int(10, 1, 100),
  LOGIN_ACCOUNT_WINDOW: envVar.int(900, 1, 86_400),
  LOGIN_ADDRESS_MAX_FAILURES: envVar.int(100, 1, 1_000_000),
  LOGIN_ADDRESS_WINDOW: envVar.int(3600, 1, 86_400),
  REGISTRATION_ADDRESS_MAX: envVar.int(20, 1, 1_000_000),
  REGISTRATION_ADDRESS_WINDOW: envVar.int(3600, 1, 86_400),
  // `production` refuses public and weak secrets (see service-kit/src/secrets.ts).
  NODE_ENV: envVar.string('development'),
  ALLOW_PUBLIC_SECRETS: envVar.bool(false),
};

/** The variables that hold secrets: refused in production when public or weak. */
const SECRETS = {
  DATABASE_URL: 'database-url',
  PASSWORD_PEPPER: 'text',
  REVOCATION_FEED_TOKEN: 'text',
  REFRESH_TOKEN_SECRET: 'text-list',
  KEY_ENCRYPTION_KEYS: 'key-encryption-keys',
} as const satisfies SecretSpec;

/** What `auth-admin` reads: the database and the keys' settings, no HTTP or password settings. */
const ADMIN_VARIABLES = [
  'LOG_LEVEL',
  'DATABASE_URL',
  'DB_POOL_MAX',
  'DB_CONNECT_TIMEOUT_MS',
  'DB_STATEMENT_TIMEOUT_MS',
  'DB_STARTUP_TIMEOUT_MS',
  'ACCESS_TOKEN_TTL',
  'SIGNING_KEY_BITS',
  'JWKS_MAX_AGE',
  'KEY_ENCRYPTION_KEYS',
  'SIGNING_KEY_ROTATION_DAYS',
  'SIGNING_KEY_REFRESH_MS',
  'VERIFIER_JWKS_MAX_TTL',
  'VERIFIER_JWKS_COOLDOWN',
  'VERIFIER_CLOCK_TOLERANCE',
  'BCRYPT_COST',
  'NODE_ENV',
  'ALLOW_PUBLIC_SECRETS',
] as const satisfies ReadonlyArray<keyof typeof shape>;

const adminShape = {
  ...(Object.fromEntries(ADMIN_VARIABLES.map((name) => [name, shape[name]])) as Pick<
    typeof shape,
    (typeof ADMIN_VARIABLES)[number]
  >),
  // Only `users create` hashes a password; the other commands run without the pepper.
  PASSWORD_PEPPER: shape.PASSWORD_PEPPER.optional(),
};

type AdminVars = z.output<z.ZodObject<typeof adminShape>>;

/**
 * The auth service's validated, immutable configuration. Each domain declares
 * the settings type it needs; this file slices the environment into them.
 */
export interface AuthConfig {
  readonly port: number;
  readonly host: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** Where `/metrics` is served instead of the public port; undefined: on the public port. */
  readonly metricsListener: MetricsListener | undefined;
  /** Where `/internal/*` (the revocation feed) is served instead of the public port (`INTERNAL_PORT`); undefined: on the public port. */
  readonly internalListener: { readonly port: number; readonly host: string } | undefined;
  /** On SIGTERM, how long the instance reports unready while still serving before its listener closes, ms. */
  readonly shutdownDelayMs: number;
  readonly database: DatabaseSettings;
  readonly tokens: TokenSettings;
  readonly sessions: SessionSettings;
  readonly revocationFeed: {
    /** The bearer secret resource services present to read the feed. */
    readonly token: string;
  };
  /** `realm` of the `WWW-Authenticate` challenge on the endpoints that take an access token. */
  readonly realm: string;
  readonly passwords: {
    readonly bcryptCost: number;
    /** The server-side secret mixed into every password before bcrypt (HMAC-SHA-256). */
    readonly pepper: string;
  };
  readonly keys: KeySettings;
  readonly trustProxy: boolean;
  /** With `trustProxy`: the header carrying the client address, and how many proxies (from the right) append to it. */
  readonly proxy: { readonly ipHeader: string; readonly hops: number };
  /** Origins allowed to call from a browser (CORS); empty: CORS off. */
  readonly corsAllowedOrigins: readonly string[];
  readonly rateLimits: RateLimitSettings;
  /** Secret variables holding a value published in this repository, accepted (ALLOW_PUBLIC_SECRETS, or not production). */
  readonly publicSecrets: readonly string[];
}

/** The subset of the configuration `auth-admin` needs (no HTTP settings; the pepper only if set). */
export interface AdminConfig {
  readonly logLevel: AuthConfig['logLevel'];
  readonly database: AuthConfig['database'];
  readonly keys: AuthConfig['keys'];
  readonly tokens: Pick<AuthConfig['tokens'], 'accessTokenTtl'>;
  /** The pepper is undefined when unset: commands that hash a password then refuse. */
  readonly passwords: {
    readonly bcryptCost: number;
    readonly pepper: string | undefined;
  };
}

function databaseSection(vars: AdminVars): AuthConfig['database'] {
  return Object.freeze({
    url: vars.DATABASE_URL,
    poolMax: vars.DB_POOL_MAX,
    connectTimeoutMs: vars.DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: vars.DB_STATEMENT_TIMEOUT_MS,
    startupTimeoutMs: vars.DB_STARTUP_TIMEOUT_MS,
  });
}

function keysSection(vars: AdminVars): AuthConfig['keys'] {
  return Object.freeze({
    rsaModulusBits: vars.SIGNING_KEY_BITS,
    jwksMaxAge: vars.JWKS_MAX_AGE,
    encryption: vars.KEY_ENCRYPTION_KEYS,
    rotationDays: vars.SIGNING_KEY_ROTATION_DAYS,
    refreshIntervalMs: vars.SIGNING_KEY_REFRESH_MS,
    verifiers: Object.freeze({
      jwksMaxTtl: vars.VERIFIER_JWKS_MAX_TTL,
      cooldown: vars.VERIFIER_JWKS_COOLDOWN,
      clockTolerance: vars.VERIFIER_CLOCK_TOLERANCE,
    }),
  });
}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadAuthConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  const secrets = assessSecrets(env, SECRETS);
  const vars = parseEnv(shape, env, secrets.issues);
  // The revocation feed lists sessions revoked in the last access-token lifetime (a day at most).
  if (vars.SESSION_RETENTION_DAYS === 1)
    throw new ConfigError([
      {
        variable: 'SESSION_RETENTION_DAYS',
        reason: 'must be 0 (keep forever) or at least 2',
      },
    ]);
  return Object.freeze({
    port: vars.PORT,
    host: vars.HOST,
    logLevel: vars.LOG_LEVEL,
    metricsListener: metricsListenerOf(vars),
    internalListener:
      vars.INTERNAL_PORT === undefined
        ? undefined
        : Object.freeze({ port: vars.INTERNAL_PORT, host: vars.HOST }),
    shutdownDelayMs: vars.SHUTDOWN_DELAY_MS,
    database: databaseSection(vars),
    tokens: Object.freeze({
      issuer: vars.JWT_ISSUER,
      audience: vars.JWT_AUDIENCE,
      clientId: vars.TOKEN_CLIENT_ID,
      accessTokenTtl: vars.ACCESS_TOKEN_TTL,
      clockTolerance: vars.OWN_TOKEN_CLOCK_TOLERANCE,
    }),
    sessions: Object.freeze({
      refreshTokenTtl: vars.REFRESH_TOKEN_TTL,
      maxAge: vars.SESSION_MAX_AGE,
      reuseGraceSeconds: vars.REFRESH_REUSE_GRACE_SECONDS,
      refreshTokenSecrets: Object.freeze(vars.REFRESH_TOKEN_SECRET),
      retentionDays: vars.SESSION_RETENTION_DAYS,
      maxPerUser: vars.SESSION_MAX_PER_USER,
    }),
    revocationFeed: Object.freeze({ token: vars.REVOCATION_FEED_TOKEN }),
    realm: vars.AUTH_REALM,
    passwords: Object.freeze({ bcryptCost: vars.BCRYPT_COST, pepper: vars.PASSWORD_PEPPER }),
    keys: keysSection(vars),
    trustProxy: vars.TRUST_PROXY,
    proxy: Object.freeze({ ipHeader: vars.PROXY_IP_HEADER, hops: vars.TRUST_PROXY_HOPS }),
    corsAllowedOrigins: Object.freeze(vars.CORS_ALLOWED_ORIGINS),
    rateLimits: Object.freeze({
      loginAccount: limit(vars.LOGIN_ACCOUNT_MAX_FAILURES, vars.LOGIN_ACCOUNT_WINDOW),
      loginAddress: limit(vars.LOGIN_ADDRESS_MAX_FAILURES, vars.LOGIN_ADDRESS_WINDOW),
      registrationAddress: limit(vars.REGISTRATION_ADDRESS_MAX, vars.REGISTRATION_ADDRESS_WINDOW),
    }),
    publicSecrets: Object.freeze(secrets.publicInUse),
  });
}

/** Parses the variables `auth-admin` needs; throws a ConfigError naming every bad one. */
export function loadAdminConfig(
  env: Record<string, string | undefined> = process.env,
): AdminConfig {
  const { PASSWORD_PEPPER, DATABASE_URL, KEY_ENCRYPTION_KEYS } = SECRETS;
  const secrets = assessSecrets(env, { PASSWORD_PEPPER, DATABASE_URL, KEY_ENCRYPTION_KEYS });
  const vars = parseEnv(adminShape, env, secrets.issues);
  return Object.freeze({
    logLevel: vars.LOG_LEVEL,
    database: databaseSection(vars),
    keys: keysSection(vars),
    tokens: Object.freeze({ accessTokenTtl: vars.ACCESS_TOKEN_TTL }),
    passwords: Object.freeze({ bcryptCost: vars.BCRYPT_COST, pepper: vars.PASSWORD_PEPPER }),
  });
}

function limit(max: number, windowSeconds: number): RateLimitSetting {
  return Object.freeze({ max, windowSeconds });
}
