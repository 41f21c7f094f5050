import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type ClientRequest, get, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually, GOOD_PASSWORD, request, uniqueUsername } from '../support/http';
import { freePort } from '../support/ports';
import {
  TEST_FEED_TOKEN,
  TEST_KEK,
  TEST_PEPPER,
  TEST_REFRESH_TOKEN_SECRET,
} from '../support/services';

const root = join(__dirname, '../..');
let db: TestDatabase;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!existsSync(join(root, 'services/auth/dist/main.js')))
    throw new Error('run `npm run build` first: this test starts the built service');
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await db?.drop();
});

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

interface BuiltAuth {
  child: ChildProcess;
  base: string;
  port: number;
  exited: Promise<number | null>;
  stdout(): string;
}

/** The built auth service as its own process, ready, with a registered user. */
async function startBuiltAuth(env: Record<string, string>): Promise<BuiltAuth> {
  const port = await freePort();
  let stdout = '';
  const child = spawn(process.execPath, [join(root, 'services/auth/dist/main.js')], {
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
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const base = `http://127.0.0.1:${port}`;
  await eventually(
    () => request(`${base}/readyz`).catch(() => ({ status: 0 })),
    (response) => response.status === 200,
    { timeoutMs: 30_000, what: 'the service to be ready' },
  );
  return { child, base, port, exited, stdout: () => stdout };
}

/**
 * A login whose headers the server has parsed (it answered 100 Continue)
 * but whose body is still to come: in flight until `finish()` sends it.
 */
async function heldLogin(base: string, username: string) {
  const body = JSON.stringify({ username, password: GOOD_PASSWORD });
  const login: ClientRequest = httpRequest(`${base}/login`, {
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
  return {
    finish() {
      login.end(body);
      return responded;
    },
  };
}

async function registered(base: string): Promise<string> {
  const username = uniqueUsername();
  const response = await request(`${base}/register`, {
    body: { username, password: GOOD_PASSWORD },
  });
  expect(response.status).toBe(201);
  return username;
}

/** The `Connection` header of a GET over node:http (fetch does not show it). */
const connectionHeaderOf = (url: string) =>
  new Promise<string | undefined>((resolve, reject) => {
    get(url, (response) => {
      response.resume();
      resolve(response.headers.connection);
    }).on('error', reject);
  });

describe('graceful shutdown', () => {
  it('on SIGTERM stops accepting, finishes the request in flight, and exits 0', async () => {
    // No drain delay: the listener closes at once (the delay is the next test's subject).
    const auth = await startBuiltAuth({ SHUTDOWN_DELAY_MS: '0' });
    const login = await heldLogin(auth.base, await registered(auth.base));

    auth.child.kill('SIGTERM');
    await eventually(
      () => accepts(auth.port),
      (accepting) => !accepting,
      { timeoutMs: 5000, what: 'the listener to close' },
    );

    const response = await login.finish();
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({ token_type: 'Bearer' });
    expect(await auth.exited).toBe(0);
    expect(auth.stdout()).toContain('"msg":"stopping"');
    expect(auth.stdout()).toContain('"msg":"stopped"');
  });

  it('with SHUTDOWN_DELAY_MS reports unready first, keeps serving for the delay, then closes and drains', async () => {
    const DELAY_MS = 2000;
    const auth = await startBuiltAuth({ SHUTDOWN_DELAY_MS: String(DELAY_MS) });
    const login = await heldLogin(auth.base, await registered(auth.base));
    expect(await connectionHeaderOf(`${auth.base}/healthz`)).toBe('keep-alive');

    const signalled = Date.now();
    auth.child.kill('SIGTERM');
    // Readiness flips at once, on a connection opened after the signal: the listener still serves.
    const unready = await eventually(
      () => request(`${auth.base}/readyz`),
      (response) => response.status === 503,
      { timeoutMs: 1000, what: '/readyz to say unready' },
    );
    expect(Date.now() - signalled).toBeLessThan(DELAY_MS);
    expect(unready.body).toMatchObject({
      status: 'unready',
      checks: {
        postgres: { status: 'up' },
        shutdown: { status: 'down', detail: 'stopping: SIGTERM received' },
      },
    });
    // Still serving, but telling keep-alive clients to go elsewhere.
    expect(await connectionHeaderOf(`${auth.base}/healthz`)).toBe('close');

    await eventually(
      () => accepts(auth.port),
      (accepting) => !accepting,
      { timeoutMs: DELAY_MS + 5000, intervalMs: 20, what: 'the listener to close' },
    );
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(DELAY_MS - 50);
    // A new connection after the delay is refused; the request in flight still completes.
    expect(await accepts(auth.port)).toBe(false);
    const response = await login.finish();
    expect(response.status).toBe(200);
    expect(await auth.exited).toBe(0);
    expect(auth.stdout()).toContain(`"delay_ms":${DELAY_MS}`);
    expect(auth.stdout()).toContain('"msg":"closing the listener"');
  });
});
