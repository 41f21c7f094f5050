import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { GOOD_PASSWORD, request, uniqueUsername } from '../support/http';
import { freePort } from '../support/ports';
import {
  TEST_FEED_TOKEN,
  TEST_KEK,
  TEST_PEPPER,
  TEST_REFRESH_TOKEN_SECRET,
} from '../support/services';

const root = join(__dirname, '../..');
let db: TestDatabase;
let child: ChildProcess | undefined;

beforeAll(async () => {
  if (!existsSync(join(root, 'services/auth/dist/main.js')))
    throw new Error('run `npm run build` first: this test starts the built service');
  db = await createTestDatabase();
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await db?.drop();
});

async function until(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('graceful shutdown', () => {
  it('on SIGTERM stops accepting, finishes the request in flight, and exits 0', async () => {
    const port = await freePort();
    let stdout = '';
    child = spawn(process.execPath, [join(root, 'services/auth/dist/main.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: db.url,
        PASSWORD_PEPPER: TEST_PEPPER,
        REVOCATION_FEED_TOKEN: TEST_FEED_TOKEN,
        REFRESH_TOKEN_SECRET: TEST_REFRESH_TOKEN_SECRET,
        KEY_ENCRYPTION_KEYS: TEST_KEK,
        PORT: String(port),
        HOST: '127.0.0.1',
        BCRYPT_COST: '12',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child?.once('exit', (code) => resolve(code)),
    );
    const base = `http://127.0.0.1:${port}`;
    await until(
      async () => (await request(`${base}/readyz`).catch(() => ({ status: 0 }))).status === 200,
      30_000,
      'the service to be ready',
    );
    const username = uniqueUsername();
    expect(
      (await request(`${base}/register`, { body: { username, password: GOOD_PASSWORD } })).status,
    ).toBe(201);

    // A login whose headers the server has parsed (it answered 100 Continue) but whose body is still to come.
    const body = JSON.stringify({ username, password: GOOD_PASSWORD });
    const login = httpRequest(`${base}/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        expect: '100-continue',
      },
    });
    const continued = new Promise<void>((resolve) => login.once('continue', () => resolve()));
    const responded = new Promise<{ status: number; text: string }>((resolve, reject) => {
      login.once('response', (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      });
      login.once('error', reject);
    });
    login.flushHeaders();
    await continued;

    child.kill('SIGTERM');
    await until(async () => !(await accepts(port)), 5000, 'the listener to close');
    login.end(body);

    const response = await responded;
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({ token_type: 'Bearer' });
    expect(await exited).toBe(0);
    expect(stdout).toContain('"msg":"stopping"');
    expect(stdout).toContain('"msg":"stopped"');
  });
});
