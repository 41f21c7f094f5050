import {
  GOOD_PASSWORD,
  type ReadResponse,
  rawRequest,
  registerAndLogin,
  request,
  uniqueUsername,
} from '../support/http';
import { type RunningPair, useServices } from '../support/services';

// Response headers: security headers on every answer (errors included),
// token responses never cached, and CORS off unless an allow-list is set.

const APP_ORIGIN = 'https://app.example';
const DEV_ORIGIN = 'http://localhost:5173';

const services = useServices({ auth: false });
let plain: RunningPair;
let withCors: RunningPair;

beforeAll(async () => {
  plain = await services.startPair();
  const cors = { CORS_ALLOWED_ORIGINS: `${APP_ORIGIN}, ${DEV_ORIGIN}` };
  withCors = await services.startPair({ auth: cors, resource: cors });
});

function expectSecurityHeaders(response: ReadResponse): void {
  const header = (name: string) => response.headers.get(name);
  expect({
    'x-content-type-options': header('x-content-type-options'),
    'x-frame-options': header('x-frame-options'),
    'content-security-policy': header('content-security-policy'),
    'referrer-policy': header('referrer-policy'),
    'x-powered-by': header('x-powered-by'),
    'x-request-id': header('x-request-id') === null ? null : 'present',
  }).toEqual({
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
    'x-powered-by': null,
    'x-request-id': 'present',
  });
}

describe('security headers on every response', () => {
  it('are sent by the auth service on successes and on every kind of error', async () => {
    const auth = plain.auth.url;
    const answers: [number, Promise<ReadResponse>][] = [
      [200, request(`${auth}/healthz`)],
      [
        201,
        request(`${auth}/register`, {
          body: { username: uniqueUsername(), password: GOOD_PASSWORD },
        }),
      ],
      [400, request(`${auth}/register`, { body: { username: 'x' } })],
      [401, request(`${auth}/login`, { body: { username: 'nobody', password: 'wrong password' } })],
      [404, request(`${auth}/no/such/path`)],
      [405, request(`${auth}/login`, { method: 'DELETE' })],
      [413, request(`${auth}/login`, { body: { username: 'x'.repeat(8000), password: 'y' } })],
      [415, request(`${auth}/login`, { body: 'a=b', headers: { 'content-type': 'text/plain' } })],
      [501, rawRequest(`${auth}/login`, { method: 'PROPFIND' })],
    ];
    for (const [status, pending] of answers) {
      const response = await pending;
      expect(response.status).toBe(status);
      expectSecurityHeaders(response);
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('are sent by the resource service on successes and errors', async () => {
    const { token } = await registerAndLogin(plain.auth.url);
    const url = `${plain.resource.url}/protected`;
    const answers: [number, Promise<ReadResponse>][] = [
      [200, request(url, { headers: { authorization: `Bearer ${token}` } })],
      [400, request(`${url}?access_token=${token}`)],
      [401, request(url)],
      [401, request(url, { headers: { authorization: 'Bearer junk' } })],
      [404, request(`${plain.resource.url}/nope`)],
      [405, request(url, { method: 'POST', body: {} })],
    ];
    for (const [status, pending] of answers) {
      const response = await pending;
      expect(response.status).toBe(status);
      expectSecurityHeaders(response);
    }
  });

  it('marks token responses Cache-Control: no-store and Pragma: no-cache', async () => {
    const username = uniqueUsername();
    await request(`${plain.auth.url}/register`, { body: { username, password: GOOD_PASSWORD } });
    const response = await request(`${plain.auth.url}/login`, {
      body: { username, password: GOOD_PASSWORD },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
  });
});

describe('CORS without an allow-list', () => {
  it('sends no CORS headers, even to a preflight', async () => {
    for (const url of [`${plain.auth.url}/login`, `${plain.resource.url}/protected`]) {
      const preflight = await rawRequest(url, {
        method: 'OPTIONS',
        headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST' },
      });
      const simple = await request(url, { headers: { origin: APP_ORIGIN } });
      for (const response of [preflight, simple]) {
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
        expect(response.headers.get('access-control-allow-methods')).toBeNull();
      }
    }
  });
});

describe('CORS with CORS_ALLOWED_ORIGINS', () => {
  const preflight = (url: string, origin: string) =>
    rawRequest(url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });

  it('answers a preflight from a listed origin with 204 naming that origin, the methods and headers', async () => {
    for (const origin of [APP_ORIGIN, DEV_ORIGIN]) {
      const response = await preflight(`${withCors.auth.url}/login`, origin);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-methods')).toContain('POST');
      expect(response.headers.get('access-control-allow-headers')).toBe(
        'Authorization,Content-Type,X-Request-Id',
      );
      expect(response.headers.get('access-control-max-age')).toBe('600');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      expect(response.headers.get('vary')).toMatch(/\bOrigin\b/);
    }
  });

  it('gives any other origin no CORS headers, preflight or not', async () => {
    for (const origin of [
      'https://evil.example',
      'https://app.example.evil',
      'null',
      `${APP_ORIGIN}:443`,
    ]) {
      const answers = [
        await preflight(`${withCors.auth.url}/login`, origin),
        await request(`${withCors.resource.url}/protected`, { headers: { origin } }),
      ];
      for (const response of answers) {
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
        expect(response.headers.get('vary')).toMatch(/\bOrigin\b/);
      }
    }
  });

  it('lets a listed origin read an error and its challenge, not just a success', async () => {
    const response = await request(`${withCors.resource.url}/protected`, {
      headers: { origin: APP_ORIGIN, authorization: 'Bearer junk' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(response.headers.get('access-control-expose-headers')).toBe(
      'Retry-After,WWW-Authenticate,X-Request-Id,X-Client-Request-Id',
    );
    expect(response.headers.get('vary')).toMatch(/\bOrigin\b/);
    expectSecurityHeaders(response);
  });

  it('answers a listed origin’s login with the token, uncached', async () => {
    const username = uniqueUsername();
    await request(`${withCors.auth.url}/register`, {
      body: { username, password: GOOD_PASSWORD },
    });
    const response = await request(`${withCors.auth.url}/login`, {
      body: { username, password: GOOD_PASSWORD },
      headers: { origin: DEV_ORIGIN },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(DEV_ORIGIN);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});
