import { runAuthAdmin } from '@authpair/auth';
import { GOOD_PASSWORD, request, uniqueUsername } from './http';
import { authEnvironment, type Services } from './services';

export interface AdminRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for `--json` runs); undefined when it is not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON
  json: any;
}

/**
 * Runs `auth-admin` in this process with `env` as its whole environment,
 * capturing its output; `secret` is what a command reading a password gets.
 */
export async function runAdmin(
  argv: string[],
  env: Record<string, string> = {},
  secret?: string,
): Promise<AdminRun> {
  let stdout = '';
  let stderr = '';
  const code = await runAuthAdmin(argv, {
    env,
    stdout: (chunk) => (stdout += chunk),
    stderr: (chunk) => (stderr += chunk),
    ...(secret === undefined ? {} : { readSecret: async () => secret }),
  });
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { code, stdout, stderr, json };
}

/**
 * An admin made the only way there is: `auth-admin users create --admin`,
 * then a password login. Returns the login's tokens.
 */
export async function createAdmin(databaseUrl: string, authUrl: string) {
  const username = uniqueUsername('admin');
  const created = await runAdmin(
    ['users', 'create', username, '--admin', '--json'],
    authEnvironment(databaseUrl),
    GOOD_PASSWORD,
  );
  if (created.code !== 0)
    throw new Error(`users create failed: ${created.stderr}${created.stdout}`);
  const login = await request(`${authUrl}/login`, {
    body: { username, password: GOOD_PASSWORD },
  });
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status} ${login.text}`);
  return {
    username,
    id: created.json.user.id as string,
    token: login.body.access_token as string,
    refreshToken: login.body.refresh_token as string,
  };
}

export type Admin = Awaited<ReturnType<typeof createAdmin>>;

function started<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the fixture is used before beforeAll ran');
  return value;
}

/** An admin on the file's auth service, made in a beforeAll after the fixture's own. */
export function adminForThisFile(fixture: Pick<Services, 'auth' | 'db'>): {
  readonly admin: Admin;
} {
  let admin: Admin | undefined;
  beforeAll(async () => {
    admin = await createAdmin(fixture.db.url, fixture.auth.url);
  });
  return {
    get admin() {
      return started(admin);
    },
  };
}
