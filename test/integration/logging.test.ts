import { Writable } from 'node:stream';
import type { RunningAuthService } from '@authpair/auth';
import type { RunningResourceService } from '@authpair/resource';
import { createLogger } from '@authpair/service-kit';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { request, uniqueUsername } from '../support/http';
import { startAuth, startResource } from '../support/services';

/** Collects every log line the services write. */
class LogCapture extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      this.raw.push(line);
      this.lines.push(JSON.parse(line));
    }
    done();
  }
}

const capture = new LogCapture();
let db: TestDatabase;
let auth: RunningAuthService;
let resource: RunningResourceService;

beforeAll(async () => {
  db = await createTestDatabase();
  auth = await startAuth(
    db.url,
    {},
    createLogger({ service: 'auth', level: 'debug', destination: capture }),
  );
  resource = await startResource(
    auth.url,
    {},
    { logger: createLogger({ service: 'resource', level: 'debug', destination: capture }) },
  );
});
afterAll(async () => {
  await resource?.stop(1000);
  await auth?.stop(1000);
  await db?.drop();
});

describe('logs', () => {
  it('write one JSON line per request with method, route, status, duration and the request id', async () => {
    const response = await request(`${auth.url}/healthz`, {
      headers: { 'x-request-id': 'log-test-1' },
    });
    expect(response.headers.get('x-request-id')).toBe('log-test-1');
    const lines = capture.lines.filter((line) => line.req_id === 'log-test-1');
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'request',
        service: 'auth',
        method: 'GET',
        route: '/healthz',
        status: 200,
        duration_ms: expect.any(Number),
      }),
    ]);
  });

  it('replace an unacceptable x-request-id with a generated one', async () => {
    const response = await request(`${auth.url}/healthz`, {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never contain a password, an access token or a key', async () => {
    const username = uniqueUsername();
    const password = 'Sup3r-secret-passphrase-for-logs';
    await request(`${auth.url}/register`, { body: { username, password } });
    await request(`${auth.url}/login`, { body: { username, password: `${password}-wrong` } });
    const login = await request(`${auth.url}/login`, { body: { username, password } });
    const token = login.body.access_token as string;
    await request(`${resource.url}/protected`, { headers: { authorization: `Bearer ${token}` } });
    await request(`${resource.url}/protected?access_token=${token}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await request(`${resource.url}/protected`, { headers: { authorization: `Bearer ${token}x` } });
    const { rows } = await auth.pool.query<{ private_key: string }>('SELECT * FROM signing_keys');
    const everything = capture.raw.join('\n');
    expect(capture.raw.length).toBeGreaterThan(5);
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(token.split('.')[2]);
    for (const row of rows) {
      for (const value of Object.values(row)) {
        if (typeof value === 'string' && value.length > 100)
          expect(everything).not.toContain(value.slice(40, 100));
      }
    }
  });
});
