import type { RunningAuthService } from '@authpair/auth';
import { problemType } from '@authpair/contracts';
import { GOOD_PASSWORD, request, uniqueUsername } from '../support/http';
import { TEST_ISSUER, useServices } from '../support/services';

const services = useServices({ auth: false });
let auth: RunningAuthService;

beforeAll(async () => {
  auth = await services.startAuth();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  request(`${auth.url}${path}`, { body, headers });

function expectProblem(
  response: Awaited<ReturnType<typeof request>>,
  status: number,
  code: string,
) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.body).toMatchObject({ type: problemType(code as never), status, code });
}

describe('POST /register', () => {
  it('creates a user and answers 201 with its id and username', async () => {
    const username = uniqueUsername();
    const response = await post('/register', { username, password: GOOD_PASSWORD });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), username });
  });

  it('answers 409 username_taken for the same name again, and for a case or width variant of it', async () => {
    const username = uniqueUsername('Dup');
    expect((await post('/register', { username, password: GOOD_PASSWORD })).status).toBe(201);
    expectProblem(
      await post('/register', { username, password: GOOD_PASSWORD }),
      409,
      'username_taken',
    );
    expectProblem(
      await post('/register', { username: username.toLowerCase(), password: GOOD_PASSWORD }),
      409,
      'username_taken',
    );
    const fullWidth = [...username]
      .map((c) => (c >= '!' && c <= '~' ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c))
      .join('');
    expectProblem(
      await post('/register', { username: fullWidth, password: GOOD_PASSWORD }),
      409,
      'username_taken',
    );
  });

  it('answers 400 naming each bad field and why', async () => {
    const response = await post('/register', { username: 'x', password: 'short' });
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors).toEqual([
      { field: 'username', reason: 'must be at least 3 characters' },
      { field: 'password', reason: 'must be at least 8 characters' },
    ]);
  });

  it('refuses unknown fields', async () => {
    const response = await post('/register', {
      username: uniqueUsername(),
      password: GOOD_PASSWORD,
      role: 'admin',
    });
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors).toEqual([{ field: 'role', reason: 'is not a known field' }]);
  });

  it('answers 415 for JSON sent as text/plain, and stores nothing', async () => {
    const username = uniqueUsername();
    const response = await post(
      '/register',
      JSON.stringify({ username, password: GOOD_PASSWORD }),
      { 'content-type': 'text/plain' },
    );
    expectProblem(response, 415, 'unsupported_media_type');
    const { rowCount } = await auth.pool.query('SELECT 1 FROM users WHERE username = $1', [
      username,
    ]);
    expect(rowCount).toBe(0);
  });

  it('answers 400 malformed_body for broken JSON and for a top-level array', async () => {
    expectProblem(
      await post('/register', '{"username": ', { 'content-type': 'application/json' }),
      400,
      'malformed_body',
    );
    expectProblem(
      await post('/register', [{ username: 'a', password: 'b' }]),
      400,
      'malformed_body',
    );
  });

  it('answers 413 for a body over the limit', async () => {
    expectProblem(
      await post('/register', { username: 'big', password: 'x'.repeat(10_000) }),
      413,
      'payload_too_large',
    );
  });
});

describe('POST /login', () => {
  it('issues a Bearer access token and a refresh token, not cacheable', async () => {
    const username = uniqueUsername();
    await post('/register', { username, password: GOOD_PASSWORD });
    const response = await post('/login', { username, password: GOOD_PASSWORD });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    expect(response.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
      refresh_token: expect.stringMatching(/^aprt_[A-Za-z0-9_-]{43}$/),
      scope: 'profile',
    });
    const [header, payload] = (response.body.access_token as string)
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: expect.any(String) });
    expect(payload).toMatchObject({
      iss: TEST_ISSUER,
      aud: 'authpair-resource',
      username,
      client_id: 'authpair',
      scope: 'profile',
    });
    expect(payload.exp - payload.iat).toBe(900);
    expect(Object.keys(payload).sort()).toEqual([
      'aud',
      'client_id',
      'exp',
      'iat',
      'iss',
      'jti',
      'scope',
      'sid',
      'sub',
      'username',
    ]);
  });

  it('logs in with any case or width of the username', async () => {
    const username = uniqueUsername('Mixed');
    await post('/register', { username, password: GOOD_PASSWORD });
    expect(
      (await post('/login', { username: username.toUpperCase(), password: GOOD_PASSWORD })).status,
    ).toBe(200);
  });

  it('answers an unknown user and a wrong password with one identical 401', async () => {
    const username = uniqueUsername();
    await post('/register', { username, password: GOOD_PASSWORD });
    const wrongPassword = await post('/login', { username, password: 'not the password' });
    const unknownUser = await post('/login', {
      username: uniqueUsername('ghost'),
      password: 'not the password',
    });
    expectProblem(wrongPassword, 401, 'invalid_credentials');
    expect(unknownUser.status).toBe(wrongPassword.status);
    expect(unknownUser.text).toBe(wrongPassword.text);
    expect(unknownUser.headers.get('content-type')).toBe(wrongPassword.headers.get('content-type'));
  });

  it('never truncates a long password at bcrypt’s 72 bytes', async () => {
    const username = uniqueUsername();
    await post('/register', { username, password: `${'a'.repeat(72)}X` });
    expectProblem(
      await post('/login', { username, password: `${'a'.repeat(72)}Y` }),
      401,
      'invalid_credentials',
    );
    expect((await post('/login', { username, password: `${'a'.repeat(72)}X` })).status).toBe(200);
  });

  it('stores the hash with its scheme, never the password', async () => {
    const username = uniqueUsername();
    await post('/register', { username, password: GOOD_PASSWORD });
    const { rows } = await auth.pool.query(
      'SELECT password_hash, password_scheme FROM users WHERE username = $1',
      [username],
    );
    expect(rows[0].password_scheme).toBe('bcrypt-hmac-sha256');
    expect(rows[0].password_hash).toMatch(/^\$2[ab]\$10\$/);
    expect(rows[0].password_hash).not.toContain(GOOD_PASSWORD);
  });
});

describe('discovery', () => {
  it('publishes public RS256 keys only, cacheable', async () => {
    const response = await request(`${auth.url}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.body.keys).toHaveLength(1);
    for (const key of response.body.keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(Buffer.from(key.n, 'base64url').length * 8).toBeGreaterThanOrEqual(2048);
    }
  });

  it('publishes RFC 8414 metadata naming the issuer, its JWKS and its OAuth endpoints', async () => {
    const response = await request(`${auth.url}/.well-known/oauth-authorization-server`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      issuer: TEST_ISSUER,
      jwks_uri: `${TEST_ISSUER}/.well-known/jwks.json`,
      token_endpoint_auth_methods_supported: expect.any(Array),
      response_types_supported: expect.any(Array),
      login_endpoint: `${TEST_ISSUER}/login`,
      user_registration_endpoint: `${TEST_ISSUER}/register`,
      token_endpoint: `${TEST_ISSUER}/token`,
      revocation_endpoint: `${TEST_ISSUER}/revoke`,
      grant_types_supported: ['refresh_token'],
    });
  });
});

describe('health and unknown routes', () => {
  it('answers /healthz and /readyz with the database up', async () => {
    expect((await request(`${auth.url}/healthz`)).body).toEqual({ status: 'ok' });
    const ready = await request(`${auth.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ready',
      checks: {
        postgres: { status: 'up' },
        signing_keys: {
          status: 'up',
          active_kid: expect.any(String),
          keys: [{ kid: expect.any(String), state: 'active' }],
          loaded_at: expect.any(String),
          rejected: [],
        },
      },
    });
  });

  it('answers unknown paths with a 404 problem and wrong methods with a 405 naming the allowed ones', async () => {
    expectProblem(await request(`${auth.url}/nope`), 404, 'not_found');
    const wrongMethod = await request(`${auth.url}/login`, { method: 'GET' });
    expectProblem(wrongMethod, 405, 'method_not_allowed');
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('serves Prometheus metrics with per-route request durations', async () => {
    await request(`${auth.url}/healthz`);
    const response = await request(`${auth.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(response.text).toMatch(
      /http_request_duration_seconds_count\{[^}]*route="\/healthz"[^}]*status="200"/,
    );
    expect(response.text).toContain('process_cpu_user_seconds_total');
  });

  it('sends the security headers, its own request id, and echoes the client’s apart', async () => {
    const response = await request(`${auth.url}/healthz`, {
      headers: { 'x-request-id': 'trace-123' },
    });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-client-request-id')).toBe('trace-123');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});
