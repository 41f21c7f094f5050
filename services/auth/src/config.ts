import { envVar, LOG_LEVELS, parseEnv } from '@authpair/service-kit';

const DAY = 86_400;

/** Every setting of the auth service, each from one environment variable (see README). */
const shape = {
  PORT: envVar.int(4000, 0, 65535),
  HOST: envVar.string('0.0.0.0'),
  LOG_LEVEL: envVar.oneOf(LOG_LEVELS, 'info'),
  DATABASE_URL: envVar.string(),
  DB_POOL_MAX: envVar.int(10, 1, 200),
  DB_CONNECT_TIMEOUT_MS: envVar.int(3000, 100, 60_000),
  DB_STATEMENT_TIMEOUT_MS: envVar.int(5000, 100, 600_000),
  DB_STARTUP_TIMEOUT_MS: envVar.int(30_000, 0, 600_000),
  JWT_ISSUER: envVar.url('http://localhost:4000'),
  JWT_AUDIENCE: envVar.string('authpair-resource'),
  TOKEN_CLIENT_ID: envVar.string('authpair'),
  ACCESS_TOKEN_TTL: envVar.int(900, 30, 86_400),
  REFRESH_TOKEN_TTL: envVar.int(14 * DAY, 1, 400 * DAY),
  SESSION_MAX_AGE: envVar.int(90 * DAY, 1, 400 * DAY),
  REFRESH_REUSE_GRACE_SECONDS: envVar.int(5, 0, 60),
  BCRYPT_COST: envVar.int(12, 10, 15),
  PASSWORD_PEPPER: envVar.secret(16),
  REVOCATION_FEED_TOKEN: envVar.secret(32),
  AUTH_REALM: envVar.string('authpair'),
  SIGNING_KEY_BITS: envVar.int(2048, 2048, 8192),
  JWKS_MAX_AGE: envVar.int(300, 0, 86_400),
  TRUST_PROXY: envVar.bool(false),
};

/** The auth service's validated, immutable configuration. */
export interface AuthConfig {
  readonly port: number;
  readonly host: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly database: {
    readonly url: string;
    readonly poolMax: number;
    readonly connectTimeoutMs: number;
    readonly statementTimeoutMs: number;
    /** How long start-up keeps retrying an unreachable database before giving up. */
    readonly startupTimeoutMs: number;
  };
  readonly tokens: {
    readonly issuer: string;
    readonly audience: string;
    readonly clientId: string;
    readonly accessTokenTtl: number;
  };
  readonly sessions: {
    /** Seconds a refresh token lives unused: the session's inactivity bound. */
    readonly refreshTokenTtl: number;
    /** Seconds a session lives from login, however active. */
    readonly maxAge: number;
    /** Seconds after a rotation during which the spent token may be presented again (0: never). */
    readonly reuseGraceSeconds: number;
  };
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
  readonly keys: {
    readonly rsaModulusBits: number;
    /** `Cache-Control: max-age` of the JWKS, in seconds. */
    readonly jwksMaxAge: number;
  };
  readonly trustProxy: boolean;
}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadAuthConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  const vars = parseEnv(shape, env);
  return Object.freeze({
    port: vars.PORT,
    host: vars.HOST,
    logLevel: vars.LOG_LEVEL,
    database: Object.freeze({
      url: vars.DATABASE_URL,
      poolMax: vars.DB_POOL_MAX,
      connectTimeoutMs: vars.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: vars.DB_STATEMENT_TIMEOUT_MS,
      startupTimeoutMs: vars.DB_STARTUP_TIMEOUT_MS,
    }),
    tokens: Object.freeze({
      issuer: vars.JWT_ISSUER,
      audience: vars.JWT_AUDIENCE,
      clientId: vars.TOKEN_CLIENT_ID,
      accessTokenTtl: vars.ACCESS_TOKEN_TTL,
    }),
    sessions: Object.freeze({
      refreshTokenTtl: vars.REFRESH_TOKEN_TTL,
      maxAge: vars.SESSION_MAX_AGE,
      reuseGraceSeconds: vars.REFRESH_REUSE_GRACE_SECONDS,
    }),
    revocationFeed: Object.freeze({ token: vars.REVOCATION_FEED_TOKEN }),
    realm: vars.AUTH_REALM,
    passwords: Object.freeze({ bcryptCost: vars.BCRYPT_COST, pepper: vars.PASSWORD_PEPPER }),
    keys: Object.freeze({ rsaModulusBits: vars.SIGNING_KEY_BITS, jwksMaxAge: vars.JWKS_MAX_AGE }),
    trustProxy: vars.TRUST_PROXY,
  });
}
