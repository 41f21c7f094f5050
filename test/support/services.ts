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
export const TEST_PEPPER = 'test-pepper-0123456789abcdef';
/** The shared secret of the revocation feed, on both sides. */
export const TEST_FEED_TOKEN = 'test-revocation-feed-token-0123456789';
/** `KEY_ENCRYPTION_KEYS` of the tests: one KEK, id `test` (32 bytes, base64). */
export const TEST_KEK = 'test:YXV0aHBhaXItdGVzdC1rZXktZW5jcnlwdGlvbi1rZXk=';

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
  stop(): Promise<void>;
}

/** Both services in this process, on ephemeral loopback ports, talking real HTTP. */
export async function startPair(
  databaseUrl: string,
  env: { auth?: Env; resource?: Env } = {},
): Promise<RunningPair> {
  const auth = await startAuth(databaseUrl, env.auth);
  try {
    const resource = await startResource(auth.url, env.resource);
    return {
      auth,
      resource,
      async stop() {
        await resource.stop(1000);
        await auth.stop(1000);
      },
    };
  } catch (error) {
    await auth.stop(1000);
    throw error;
  }
}

/**
 * A fresh database and an auth service on it for the test file that calls
 * this (at top level): started before its tests, stopped and dropped after.
 */
export function useAuthService(env: Env = {}): { db: TestDatabase; auth: RunningAuthService } {
  const context = {} as { db: TestDatabase; auth: RunningAuthService };
  beforeAll(async () => {
    context.db = await createTestDatabase();
    context.auth = await startAuth(context.db.url, env);
  });
  afterAll(async () => {
    await context.auth?.stop(1000);
    await context.db?.drop();
  });
  return context;
}

/** Like useAuthService, for both services: a fresh database and a started pair per test file. */
export function usePair(env: { auth?: Env; resource?: Env } = {}): {
  db: TestDatabase;
  pair: RunningPair;
} {
  const context = {} as { db: TestDatabase; pair: RunningPair };
  beforeAll(async () => {
    context.db = await createTestDatabase();
    context.pair = await startPair(context.db.url, env);
  });
  afterAll(async () => {
    await context.pair?.stop();
    await context.db?.drop();
  });
  return context;
}
