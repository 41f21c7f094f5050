import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runAdmin } from '../support/admin';
import { claimsOf, GOOD_PASSWORD, request, uniqueUsername } from '../support/http';
import { authEnvironment, useServices } from '../support/services';

/** `auth-admin users …`: how the first admin comes to be, and the break-glass verbs. */
const fixture = useServices();
const env = () => authEnvironment(fixture.db.url);
const root = join(__dirname, '../..');

const login = (username: string, password = GOOD_PASSWORD) =>
  request(`${fixture.auth.url}/login`, { body: { username, password } });

/** The built CLI in a process of its own, the password piped to its standard input. */
function runBuilt(argv: string[], stdin: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'services/auth/dist/cli/main.js'), ...argv], {
      env: { PATH: process.env.PATH ?? '', ...env() },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
    child.stdin.end(stdin);
  });
}

describe('auth-admin users create', () => {
  it('reads the password from standard input, never from argv, and makes an admin who can log in', async () => {
    if (!existsSync(join(root, 'services/auth/dist/cli/main.js')))
      throw new Error('run `npm run build` first: this test runs the built CLI');
    const username = uniqueUsername('root');
    const password = 'piped in, never an argument';
    const run = await runBuilt(['users', 'create', username, '--admin'], `${password}\n`);
    expect(run.output).toMatch(
      new RegExp(`^Created ${username} \\([0-9a-f-]{36}\\) with roles user, admin\\.`),
    );
    expect(run.code).toBe(0);
    const response = await login(username, password);
    expect(response.status).toBe(200);
    expect(claimsOf(response.body.access_token).scope).toBe('profile admin');
  });

  it('applies the registration policy and refuses a taken name', async () => {
    const username = uniqueUsername();
    const weak = await runAdmin(['users', 'create', username], env(), 'password1');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('password is too common');
    expect((await runAdmin(['users', 'create', username], env(), GOOD_PASSWORD)).code).toBe(0);
    const again = await runAdmin(['users', 'create', username.toUpperCase()], env(), GOOD_PASSWORD);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('that username is taken');
  });

  it('refuses without the pepper, and without a password to read', async () => {
    const { PASSWORD_PEPPER: _pepper, ...withoutPepper } = env();
    const noPepper = await runAdmin(
      ['users', 'create', uniqueUsername()],
      withoutPepper,
      GOOD_PASSWORD,
    );
    expect(noPepper.code).toBe(1);
    expect(noPepper.stderr).toContain('PASSWORD_PEPPER is required');
    const noInput = await runAdmin(['users', 'create', uniqueUsername()], env());
    expect(noInput.code).toBe(1);
    expect(noInput.stderr).toContain('needs a password on standard input');
  });
});

describe('auth-admin users grant, revoke and list', () => {
  it('grants and revokes roles by username; revoking admin ends the sessions', async () => {
    const username = uniqueUsername();
    await runAdmin(['users', 'create', username], env(), GOOD_PASSWORD);
    const before = await login(username);
    expect(claimsOf(before.body.access_token).scope).toBe('profile');

    const granted = await runAdmin(['users', 'grant', username, 'admin', '--json'], env());
    expect(granted.code).toBe(0);
    expect(granted.json).toMatchObject({ changed: true, user: { roles: ['user', 'admin'] } });
    expect((await runAdmin(['users', 'grant', username, 'admin'], env())).stdout).toContain(
      'already holds admin',
    );
    const listed = await runAdmin(['users', 'list', '--role', 'admin', '--json'], env());
    expect(listed.json.users.map((user: { username: string }) => user.username)).toContain(
      username,
    );

    const revoked = await runAdmin(['users', 'revoke', username, 'admin'], env());
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toBe(`Revoked admin from ${username}; ended 1 session(s).\n`);
    const sessions = await request(`${fixture.auth.url}/sessions`, {
      headers: { authorization: `Bearer ${before.body.access_token}` },
    });
    expect(sessions.status).toBe(401);
  });

  it('names what it cannot find or does not know', async () => {
    const missing = await runAdmin(['users', 'grant', uniqueUsername('ghost'), 'admin'], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no user is named');
    const username = uniqueUsername();
    await runAdmin(['users', 'create', username], env(), GOOD_PASSWORD);
    const role = await runAdmin(['users', 'grant', username, 'root'], env());
    expect(role.code).toBe(1);
    expect(role.stderr).toContain('unknown role "root"');
  });
});
