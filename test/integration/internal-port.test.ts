import type { RunningResourceService } from '@authpair/resource';
import { bearer, eventually, registerAndLogin, request } from '../support/http';
import { TEST_FEED_TOKEN, useServices } from '../support/services';

/**
 * `INTERNAL_PORT` moves `/internal/*` (the revocation feed) off the public
 * port onto a listener of its own, as `METRICS_PORT` does for `/metrics`:
 * the port a NetworkPolicy or an unpublished container port keeps for the
 * resource services.
 */
const services = useServices({ auth: { INTERNAL_PORT: '0' } });
const FEED = '/internal/revocations';
let resource: RunningResourceService;

const internalUrl = () => {
  const url = services.auth.internalServer?.url;
  if (url === undefined) throw new Error('no internal listener');
  return url;
};

beforeAll(async () => {
  resource = await services.startResource({ REVOCATION_FEED_URL: `${internalUrl()}${FEED}` });
});

describe('INTERNAL_PORT', () => {
  it('serves the revocation feed on its own listener and no longer on the public port', async () => {
    expect(internalUrl()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(internalUrl()).not.toBe(services.auth.url);
    const moved = await request(`${services.auth.url}${FEED}`, {
      headers: bearer(TEST_FEED_TOKEN),
    });
    expect(moved.status).toBe(404);
    expect(moved.body.code).toBe('not_found');
    const served = await request(`${internalUrl()}${FEED}`, { headers: bearer(TEST_FEED_TOKEN) });
    expect(served.status).toBe(200);
    expect(served.body).toEqual(
      expect.objectContaining({ revocations: expect.any(Array), cursor: expect.any(String) }),
    );
  });

  it('still asks for the feed token there', async () => {
    const refused = await request(`${internalUrl()}${FEED}`, { headers: bearer('not-the-secret') });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('invalid_token');
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer realm="authpair-internal"/);
  });

  it('serves nothing but /internal/* on the internal listener', async () => {
    for (const path of ['/readyz', '/.well-known/jwks.json', '/metrics', '/openapi.json'])
      expect((await request(`${internalUrl()}${path}`)).status).toBe(404);
    const login = await request(`${internalUrl()}/login`, {
      body: { username: 'a', password: 'b' },
    });
    expect(login.status).toBe(404);
  });

  it('leaves the feed out of the public OpenAPI document', async () => {
    const document = (await request(`${services.auth.url}/openapi.json`)).body;
    expect(Object.keys(document.paths)).not.toContain(FEED);
    expect(Object.keys(document.paths)).toContain('/login');
  });

  it('lets a resource service reading the feed there refuse a logged-out token', async () => {
    const { token } = await registerAndLogin(services.auth.url);
    const call = () => request(`${resource.url}/protected`, { headers: bearer(token) });
    expect((await call()).status).toBe(200);
    const logout = await request(`${services.auth.url}/logout`, {
      method: 'POST',
      headers: bearer(token),
    });
    expect(logout.status).toBe(204);
    const refused = await eventually(call, (response) => response.status === 401, {
      timeoutMs: 5000,
      what: 'the resource service to refuse the logged-out token',
    });
    expect(refused.body.detail).toBe('the session of this token has ended');
  });
});
