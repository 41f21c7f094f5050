import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { RunningAuthService } from '@authpair/auth';
import { REVOCATION_FEED_PATH } from '@authpair/contracts';
import type { RunningResourceService } from '@authpair/resource';
import { createLogger } from '@authpair/service-kit';
import { createAdmin } from '../support/admin';
import {
  bearer,
  eventually,
  GOOD_PASSWORD,
  postForm,
  refresh,
  registerAndLogin,
  request,
  uniqueUsername,
} from '../support/http';
import { TEST_FEED_TOKEN, useServices } from '../support/services';

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
const services = useServices({ auth: false });
let auth: RunningAuthService;
let resource: RunningResourceService;

beforeAll(async () => {
  auth = await services.startAuth(
    {},
    { logger: createLogger({ service: 'auth', level: 'debug', destination: capture }) },
  );
  resource = await services.startResource(
    {},
    {
      authUrl: auth.url,
      logger: createLogger({ service: 'resource', level: 'debug', destination: capture }),
    },
  );
});

describe('logs', () => {
  it('log what machines call on a schedule at debug when it succeeds, and at info when it is refused', async () => {
    const tag = `scheduled-${randomBytes(4).toString('hex')}`;
    const headers = { 'x-request-id': tag };
    await request(`${auth.url}/readyz`, { headers });
    await request(`${resource.url}/healthz`, { headers });
    await request(`${auth.url}/metrics`, { headers });
    await request(`${auth.url}${REVOCATION_FEED_PATH}`, {
      headers: { ...headers, ...bearer(TEST_FEED_TOKEN) },
    });
    const refused = await request(`${auth.url}${REVOCATION_FEED_PATH}`, {
      headers: { ...headers, ...bearer('not-the-feed-token') },
    });
    expect(refused.status).toBe(401);
    const levels = capture.lines
      .filter((line) => line.client_req_id === tag && line.msg === 'request')
      .map((line) => [line.route, line.status, line.level]);
    expect(levels).toEqual([
      ['/readyz', 200, 'debug'],
      ['/healthz', 200, 'debug'],
      ['/metrics', 200, 'debug'],
      [REVOCATION_FEED_PATH, 200, 'debug'],
      [REVOCATION_FEED_PATH, 401, 'info'],
    ]);
  });

  it('write one JSON line per request with method, route, status, duration and both request ids', async () => {
    const response = await request(`${auth.url}/healthz`, {
      headers: { 'x-request-id': 'log-test-1' },
    });
    const ours = response.headers.get('x-request-id');
    expect(ours).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-client-request-id')).toBe('log-test-1');
    const lines = capture.lines.filter((line) => line.client_req_id === 'log-test-1');
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'request',
        service: 'auth',
        req_id: ours,
        method: 'GET',
        route: '/healthz',
        status: 200,
        duration_ms: expect.any(Number),
      }),
    ]);
  });

  it('carry a generated request id whatever the client sends, and its own only beside it', async () => {
    const first = await request(`${auth.url}/healthz`);
    const ours = first.headers.get('x-request-id') as string;
    expect(first.headers.get('x-client-request-id')).toBeNull();
    // A client that sends another request's id gets its own id, and is logged as the client's label.
    const replay = await request(`${auth.url}/nope`, { headers: { 'x-request-id': ours } });
    expect(replay.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(replay.headers.get('x-request-id')).not.toBe(ours);
    expect(replay.headers.get('x-client-request-id')).toBe(ours);
    expect(capture.lines.filter((line) => line.req_id === ours)).toHaveLength(1);
    // One that is not short and plain is not echoed, nor logged.
    const odd = await request(`${auth.url}/healthz`, {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(odd.headers.get('x-client-request-id')).toBeNull();
    expect(capture.raw.join('\n')).not.toContain('bad id with spaces');
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
    const { rows } = await auth.pool.query<Record<string, unknown>>('SELECT * FROM signing_keys');
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
  it('never contain a refresh token, the feed token, or what passes through the admin API', async () => {
    const user = await registerAndLogin(auth.url);
    const rotated = await refresh(auth.url, user.refreshToken);
    await refresh(auth.url, user.refreshToken); // reuse: logged as a warning, without the token
    await postForm(`${auth.url}/revoke`, { token: rotated.body.refresh_token });
    await request(`${auth.url}${REVOCATION_FEED_PATH}`, {
      headers: bearer(`${TEST_FEED_TOKEN}-wrong`),
    });
    // The resource service reads the feed with the right token every second.
    await eventually(
      async () => capture.lines.filter((line) => line.route === REVOCATION_FEED_PATH).length,
      (reads) => reads >= 2,
    );
    const admin = await createAdmin(services.db.url, auth.url);
    const asAdmin = (path: string, method = 'GET') =>
      request(`${auth.url}/admin${path}`, { method, headers: bearer(admin.token) });
    await asAdmin('/users');
    await asAdmin(`/users/${user.id}/disable`, 'POST');
    await asAdmin(`/users/${user.id}/sessions`);
    await asAdmin('/audit-events');
    await request(`${auth.url}/admin/users`, { headers: bearer(`${admin.token}x`) });

    const everything = capture.raw.join('\n');
    expect(capture.lines.some((line) => line.route === '/admin/users/:id/disable')).toBe(true);
    for (const secret of [
      user.refreshToken,
      rotated.body.refresh_token as string,
      TEST_FEED_TOKEN,
      admin.token,
      admin.refreshToken,
      admin.token.split('.')[2] as string,
      GOOD_PASSWORD,
    ])
      expect(everything).not.toContain(secret);
  });

  it('never contain a fragment of a password sent in a malformed JSON body, at debug level', async () => {
    // V8's SyntaxError quotes the text around an unexpected token: the password, here.
    const password = `Canary-${randomBytes(12).toString('hex')}`;
    const bodies = [
      `{"username":"${uniqueUsername()}","password":${password}}`,
      `{"username":"${uniqueUsername()}","password":'${password}'}`,
    ];
    expect(() => JSON.parse(bodies[0] as string)).toThrow(password.slice(0, 8));
    const before = capture.raw.length;
    for (const path of ['/register', '/login'])
      for (const body of bodies) {
        const response = await request(`${auth.url}${path}`, {
          body,
          headers: { 'content-type': 'application/json' },
        });
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('malformed_body');
      }

    const lines = capture.raw.slice(before);
    // The refusals were logged (at debug, with the cause's type), and none quotes the body.
    expect(lines.filter((line) => line.includes('"request refused"'))).toHaveLength(4);
    const everything = lines.join('\n');
    for (let at = 0; at + 6 <= password.length; at += 1)
      expect(everything).not.toContain(password.slice(at, at + 6));
  });
});
