import type { RunningAuthService } from '@authpair/auth';
import { createTestDatabase, type TestDatabase } from './database';
import { startAuth } from './services';

/** The auth service of one test file, on a database of its own. */
export interface AuthFixture {
  readonly auth: RunningAuthService;
  readonly db: TestDatabase;
}

/**
 * Registers the file's beforeAll/afterAll: a fresh database and an auth
 * service on it with `env`, both gone after the file. Read `auth` inside
 * tests and hooks (it exists once beforeAll has run).
 */
export function authForThisFile(env: Record<string, string> = {}): AuthFixture {
  let db: TestDatabase | undefined;
  let auth: RunningAuthService | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    auth = await startAuth(db.url, env);
  });
  afterAll(async () => {
    await auth?.stop(1000);
    await db?.drop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the auth fixture is used before beforeAll ran');
    return value;
  };
  return {
    get auth() {
      return started(auth);
    },
    get db() {
      return started(db);
    },
  };
}
