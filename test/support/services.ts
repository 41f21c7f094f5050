import {
  type AuthConfig,
  loadAuthConfig,
  type RunningAuthService,
  startAuthService,
} from '@authpair/auth';
import {
  loadResourceConfig,
  type ResourceConfig,
  type RunningResourceService,
  startResourceService,
} from '@authpair/resource';
import { createLogger, type Logger } from '@authpair/service-kit';
import { createTestDatabase, type TestDatabase } from './database';

/** The issuer every test token names; distinct from the URL the JWKS is fetched from, as in Compose. */
export const TEST_ISSUER = 'http://auth.test';
export const TEST_AUDIENCE = 'authpair-resource';
/** Long enough for NODE_ENV=production (the benchmark runs the services so). */
export const TEST_PEPPER = 'test-pepper-0123456789abcdef-ghijklmnop';
/** REFRESH_TOKEN_SECRET of the tests. */
export const TEST_REFRESH_TOKEN_SECRET = 'test-refresh-token-secret-0123456789abcdef';
/** The shared secret of the revocation feed, on both sides. */
export const TEST_FEED_TOKEN = 'test-revocation-feed-token-0123456789';
/**
 * `KEY_ENCRYPTION_KEYS` of the tests: one KEK, id `test`, 32 bytes in
 * base64 (SHA-256 of "authpair test key-encryption key": bytes, not text,
 * as production requires of a KEK).
 */
export const TEST_KEK = 'test:Fj3Jj1c1SZ5cp3mVCOc6aV6Pa3eu8gYbO13H6q7Uqks=';

type Env = Record<string, string>;

export function testLogger(service: string, destination?: NodeJS.WritableStream): Logger {
  return createLogger({
    service,
    level: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(destination ? { destination } : {}),
  });
}

/** The environment the tests run auth with (also what they give `auth-admin`). */
export function authEnvironment(databaseUrl: string, env: Env = {}): Env {
  return {
    DATABASE_URL: databaseUrl,
    PASSWORD_PEPPER: TEST_PEPPER,
    KEY_ENCRYPTION_KEYS: TEST_KEK,
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    BCRYPT_COST: '10',
    DB_STARTUP_TIMEOUT_MS: '0',
    REVOCATION_FEED_TOKEN: TEST_FEED_TOKEN,
    REFRESH_TOKEN_SECRET: TEST_REFRESH_TOKEN_SECRET,
    ...env,
  };
}

export function authConfig(databaseUrl: string, env: Env = {}): AuthConfig {
  return loadAuthConfig(authEnvironment(databaseUrl, env));
}

export function resourceConfig(authUrl: string, env: Env = {}): ResourceConfig {
  return loadResourceConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    JWKS_URL: `${authUrl}/.well-known/jwks.json`,
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    REVOCATION_FEED_TOKEN: TEST_FEED_TOKEN,
    ...env,
  });
}

export function startAuth(
  databaseUrl: string,
  env: Env = {},
  logger = testLogger('auth'),
): Promise<RunningAuthService> {
  return startAuthService(authConfig(databaseUrl, env), logger);
}

export function startResource(
  authUrl: string,
  env: Env = {},
  options: { fetch?: typeof fetch; logger?: Logger } = {},
): Promise<RunningResourceService> {
  return startResourceService(
    resourceConfig(authUrl, env),
    options.logger ?? testLogger('resource'),
    {
      ...(options.fetch ? { fetch: options.fetch } : {}),
    },
  );
}

export interface RunningPair {
  auth: RunningAuthService;
  resource: RunningResourceService;
}

export interface ServicesOptions {
  /** The auth service's environment; `false` for a file without one (a resource against a test issuer). */
  auth?: Env | false;
  /** A resource service verifying this file's auth service, with this environment; absent: none. */
  resource?: Env;
}

export interface StartAuthOptions {
  logger?: Logger;
  /** Another database than the file's own (a server the test controls: a proxy, a container it restarts). */
  databaseUrl?: string;
}

export interface StartResourceOptions {
  /** Whose tokens it verifies: this file's auth service unless given (a test issuer's URL). */
  authUrl?: string;
  fetch?: typeof fetch;
  logger?: Logger;
}

/** What `useServices` gives a test file; read it inside tests and hooks. */
export interface Services {
  /** This file's own database. */
  readonly db: TestDatabase;
  readonly auth: RunningAuthService;
  readonly resource: RunningResourceService;
  /** Another auth service on this file's database (a replica, other settings); stopped after the file. */
  startAuth(env?: Env, options?: StartAuthOptions): Promise<RunningAuthService>;
  /** Another resource service; stopped after the file. */
  startResource(env?: Env, options?: StartResourceOptions): Promise<RunningResourceService>;
  /** Another auth service and a resource service verifying it; both stopped after the file. */
  startPair(
    env?: { auth?: Env; resource?: Env },
    options?: Pick<StartAuthOptions, 'databaseUrl'>,
  ): Promise<RunningPair>;
}

/**
 * The test fixture: called at the top level of a test file, it registers
 * the file's beforeAll/afterAll. Before the tests: a database of the file's
 * own (unique data instead of truncation), an auth service on it, and a
 * resource service when asked for. After them: every service the file
 * started, through this fixture or its `startAuth`/`startResource`, is
 * stopped, newest first, and the database dropped. A test may stop a
 * service it started sooner (a replica within one test): `stop` runs once.
 */
export function useServices({
  auth: authEnv = {},
  resource: resourceEnv,
}: ServicesOptions = {}): Services {
  let db: TestDatabase | undefined;
  let auth: RunningAuthService | undefined;
  let resource: RunningResourceService | undefined;
  const started: Array<{ stop(graceMs?: number): Promise<void> }> = [];
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new Error(`useServices: no ${what} (not asked for, or used before beforeAll ran)`);
    return value;
  };

  const services: Services = {
    get db() {
      return ready(db, 'database');
    },
    get auth() {
      return ready(auth, 'auth service');
    },
    get resource() {
      return ready(resource, 'resource service');
    },
    async startAuth(env = {}, { logger = testLogger('auth'), databaseUrl } = {}) {
      const url = databaseUrl ?? ready(db, 'database').url;
      const service = stopOnce(await startAuth(url, env, logger));
      started.push(service);
      return service;
    },
    async startResource(env = {}, { authUrl, ...options } = {}) {
      const url = authUrl ?? ready(auth, 'auth service (give authUrl)').url;
      const service = stopOnce(await startResource(url, env, options));
      started.push(service);
      return service;
    },
    async startPair(env = {}, options = {}) {
      const auth = await services.startAuth(env.auth, options);
      const resource = await services.startResource(env.resource, { authUrl: auth.url });
      return { auth, resource };
    },
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    if (authEnv !== false) auth = await services.startAuth(authEnv);
    if (resourceEnv !== undefined) resource = await services.startResource(resourceEnv);
  });
  afterAll(async () => {
    for (const service of started.reverse()) await service.stop(1000);
    await db?.drop();
  });
  return services;
}

/** Makes `stop` idempotent, so the file's afterAll can stop what a test already stopped. */
function stopOnce<T extends { stop(graceMs?: number): Promise<void> }>(service: T): T {
  const stop = service.stop.bind(service);
  let stopping: Promise<void> | undefined;
  service.stop = (graceMs) => {
    stopping ??= stop(graceMs);
    return stopping;
  };
  return service;
}
