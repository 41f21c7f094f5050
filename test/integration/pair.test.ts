import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerAndLogin, request } from '../support/http';
import { type Services, useServices } from '../support/services';

const context = useServices({ resource: {} });

const protectedUrl = () => `${context.resource.url}/protected`;

describe('the pair over HTTP', () => {
  it('register -> login -> /protected greets the user with the claims it used', async () => {
    const { username, id, token } = await registerAndLogin(context.auth.url);
    const response = await request(protectedUrl(), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      message: `Hello, ${username}! This is a protected resource.`,
      claims: expect.objectContaining({
        sub: id,
        username,
        iss: 'http://auth.test',
        aud: 'authpair-resource',
      }),
    });
  });

  it('accepts the scheme name in any case', async () => {
    const { token } = await registerAndLogin(context.auth.url);
    expect(
      (await request(protectedUrl(), { headers: { authorization: `bEaReR ${token}` } })).status,
    ).toBe(200);
  });

  it('answers no credentials with 401 and a challenge without an error code', async () => {
    for (const headers of [{}, { authorization: 'Basic YWxpY2U6c2VjcmV0' }]) {
      const response = await request(protectedUrl(), { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="authpair"');
      expect(response.body).toMatchObject({ code: 'missing_credentials', status: 401 });
    }
  });

  it('answers a bad token with 401 invalid_token', async () => {
    const response = await request(protectedUrl(), {
      headers: { authorization: 'Bearer not.a.token' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="authpair", error="invalid_token", error_description="[^"]+"$/,
    );
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ code: 'invalid_token' });
  });

  it('answers a token sent in the header and the query with 400 invalid_request', async () => {
    const { token } = await registerAndLogin(context.auth.url);
    const response = await request(`${protectedUrl()}?access_token=${token}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_request"/);
    expect(response.body).toMatchObject({ code: 'invalid_request' });
  });

  it('reports the JWKS cache in /readyz', async () => {
    const response = await request(`${context.resource.url}/readyz`);
    expect(response.status).toBe(200);
    expect(response.body.checks.jwks).toMatchObject({ status: 'up', cache: 'fresh', keys: 1 });
  });
});

describe('when the JWKS cannot be fetched', () => {
  let blackhole: Server;
  let unreachable: Awaited<ReturnType<Services['startResource']>>;

  beforeAll(async () => {
    // A port that accepts nothing: listen, note the port, close.
    blackhole = createServer();
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    const { port } = blackhole.address() as AddressInfo;
    await new Promise<void>((resolve) => blackhole.close(() => resolve()));
    unreachable = await context.startResource(
      { JWKS_COOLDOWN_MS: '2000' },
      { authUrl: `http://127.0.0.1:${port}` },
    );
  });

  it('answers a well-formed token with 503 and Retry-After, not 401 or 500', async () => {
    const { token } = await registerAndLogin(context.auth.url);
    const response = await request(`${unreachable.url}/protected`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(response.body).toMatchObject({
      code: 'jwks_unavailable',
      request_id: expect.any(String),
    });
  });

  it('says so in /readyz', async () => {
    const response = await request(`${unreachable.url}/readyz`);
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({
      status: 'unready',
      checks: { jwks: { status: 'down', cache: 'never_fetched' } },
    });
  });
});
