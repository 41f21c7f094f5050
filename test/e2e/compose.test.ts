import { createPublicKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { compose, waitUntilReady } from '../support/compose';
import { bearer, eventually, GOOD_PASSWORD, registerAndLogin, request } from '../support/http';
import { freePort } from '../support/ports';

/**
 * The real images, built from the Dockerfiles and run by the repository's
 * docker-compose.yml, reached only through their published loopback ports.
 */
const project = `authpair-e2e-${process.pid}`;
let authUrl: string;
let resourceUrl: string;
let webUrl: string;
let env: Record<string, string>;

jest.setTimeout(900_000);

beforeAll(async () => {
  const [authPort, resourcePort, webPort] = [await freePort(), await freePort(), await freePort()];
  authUrl = `http://localhost:${authPort}`;
  resourceUrl = `http://localhost:${resourcePort}`;
  webUrl = `http://localhost:${webPort}`;
  env = {
    AUTH_PORT: String(authPort),
    RESOURCE_PORT: String(resourcePort),
    WEB_PORT: String(webPort),
    WEB_ORIGIN: webUrl,
    RESOURCE_URL: resourceUrl,
    JWT_ISSUER: authUrl,
    BCRYPT_COST: '10',
  };
  await compose(project, ['down', '-v', '--remove-orphans'], env);
  const up = await compose(project, ['up', '-d', '--build'], env);
  if (up.code !== 0) throw new Error(`docker compose up failed:\n${up.output}`);
  try {
    await waitUntilReady(`${authUrl}/readyz`, 180_000);
    await waitUntilReady(`${resourceUrl}/readyz`, 60_000);
    await waitUntilReady(`${webUrl}/readyz`, 60_000);
  } catch (error) {
    const logs = await compose(project, ['logs', '--no-color', '--tail', '50'], env);
    throw new Error(`${(error as Error).message}\n${logs.output}`);
  }
});

afterAll(async () => {
  if (env !== undefined) await compose(project, ['down', '-v', '--remove-orphans'], env);
});

describe('the compose stack', () => {
  it('runs with its public default secrets only by its opt-in, and says so in /readyz', async () => {
    const auth = await request(`${authUrl}/readyz`);
    expect(auth.status).toBe(200);
    expect(auth.body.checks.secrets).toMatchObject({
      status: 'degraded',
      variables: [
        'DATABASE_URL',
        'PASSWORD_PEPPER',
        'REVOCATION_FEED_TOKEN',
        'REFRESH_TOKEN_SECRET',
        'KEY_ENCRYPTION_KEYS',
      ],
    });
    const resource = await request(`${resourceUrl}/readyz`);
    expect(resource.body.checks.secrets).toMatchObject({
      status: 'degraded',
      variables: ['REVOCATION_FEED_TOKEN'],
    });
  });

  it('serves register -> login -> /protected through the published ports', async () => {
    const { username, token } = await registerAndLogin(authUrl);
    const response = await request(`${resourceUrl}/protected`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(response.body.message).toBe(`Hello, ${username}! This is a protected resource.`);
  });

  it('issues tokens that another JOSE library verifies from the published JWKS', async () => {
    const { token, id } = await registerAndLogin(authUrl);
    const metadata = await request(`${authUrl}/.well-known/oauth-authorization-server`);
    expect(metadata.body.issuer).toBe(authUrl);
    const jwks = await request(metadata.body.jwks_uri);
    const { header } = jwt.decode(token, { complete: true }) as jwt.Jwt;
    const jwk = jwks.body.keys.find((key: { kid: string }) => key.kid === header.kid);
    const verified = jwt.verify(token, createPublicKey({ key: jwk, format: 'jwk' }), {
      algorithms: ['RS256'],
      issuer: authUrl,
      audience: 'authpair-resource',
    }) as jwt.JwtPayload;
    expect(header.typ).toBe('at+jwt');
    expect(verified.sub).toBe(id);
  });

  it('stops a logged-out token at the resource service within seconds (the revocation feed is wired)', async () => {
    const { token } = await registerAndLogin(authUrl);
    const call = () => request(`${resourceUrl}/protected`, { headers: bearer(token) });
    expect((await call()).status).toBe(200);
    const logout = await request(`${authUrl}/logout`, { method: 'POST', headers: bearer(token) });
    expect(logout.status).toBe(204);
    const refused = await eventually(call, (response) => response.status !== 200, {
      timeoutMs: 5000,
    });
    expect(refused.status).toBe(401);
  });

  it('ships auth-admin in the auth image: keys list shows the published key, sealed at rest', async () => {
    const result = await compose(
      project,
      ['exec', '-T', 'auth', 'auth-admin', 'keys', 'list', '--json'],
      env,
    );
    expect(result.code).toBe(0);
    const listed = JSON.parse(result.output.slice(result.output.indexOf('{')));
    const jwks = await request(`${authUrl}/.well-known/jwks.json`);
    expect(listed.keys).toEqual([
      expect.objectContaining({
        kid: jwks.body.keys[0].kid,
        state: 'active',
        kek_id: 'local-only',
      }),
    ]);
  });

  it('serves the web app, whose backend signs in through auth and keeps the refresh token in its cookie', async () => {
    const page = await fetch(webUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain(
      `connect-src 'self' ${resourceUrl}`,
    );
    expect(await page.text()).toContain(`content="${resourceUrl}"`);
    const { username } = await registerAndLogin(authUrl);
    const login = await fetch(`${webUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: webUrl },
      body: JSON.stringify({ username, password: GOOD_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const tokens = (await login.json()) as Record<string, unknown>;
    expect(tokens.refresh_token).toBeUndefined();
    const [cookie] = login.headers.getSetCookie();
    expect(cookie).toMatch(
      /^__Host-authpair-refresh=aprt_[^;]+; Path=\/; HttpOnly; Secure; SameSite=Strict/,
    );
    const refreshed = await fetch(`${webUrl}/auth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: webUrl,
        cookie: (cookie ?? '').split(';')[0] ?? '',
      },
      body: 'grant_type=refresh_token',
    });
    expect(refreshed.status).toBe(200);
    // The page calls the resource service from its own origin: allowed there (CORS).
    const greeting = await fetch(`${resourceUrl}/protected`, {
      headers: { ...bearer(String(tokens.access_token)), origin: webUrl },
    });
    expect(greeting.status).toBe(200);
    expect(greeting.headers.get('access-control-allow-origin')).toBe(webUrl);
  });

  it('runs the services as a non-root user', async () => {
    for (const service of ['auth', 'resource', 'web']) {
      const result = await compose(project, ['exec', '-T', service, 'id', '-u'], env);
      expect(result.output.trim()).not.toBe('0');
      expect(result.code).toBe(0);
    }
  });
});
