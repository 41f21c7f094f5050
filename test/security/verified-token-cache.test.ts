import type { RunningResourceService } from '@authpair/resource';
import { eventually, request } from '../support/http';
import { startResource } from '../support/services';
import { generateTestKey, TestIssuer } from '../support/test-issuer';

/**
 * The verified-token cache (performance issue) must not change what is
 * accepted: it holds successes only, never outlives exp, a key's removal or
 * a session's revocation. The rest of this suite runs with it on (default).
 */
let issuer: TestIssuer;
let resource: RunningResourceService;

beforeAll(async () => {
  issuer = await new TestIssuer().start();
  resource = await startResource(issuer.url, {
    JWKS_URL: issuer.jwksUrl,
    CLOCK_TOLERANCE: '0',
    JWKS_COOLDOWN_MS: '0',
    REVOCATION_POLL_INTERVAL_MS: '100',
  });
});
afterAll(async () => {
  await resource?.stop(1000);
  await issuer?.stop();
});

const call = (token: string) =>
  request(`${resource.url}/protected`, { headers: { authorization: `Bearer ${token}` } });

describe('the verified-token cache', () => {
  it('answers a repeated token from memory from its third call on', async () => {
    const token = issuer.mint();
    const { hits } = resource.verifier.cache;
    expect((await call(token)).status).toBe(200);
    expect((await call(token)).status).toBe(200); // verified again, and admitted
    expect(resource.verifier.cache.hits).toBe(hits);
    expect((await call(token)).status).toBe(200);
    expect(resource.verifier.cache.hits).toBe(hits + 1);
    const metrics = await request(`${resource.url}/metrics`);
    expect(metrics.text).toMatch(/access_token_cache_lookups_total\{result="hit"[^}]*\} [1-9]/);
  });

  it('never holds a refused token', async () => {
    const before = resource.verifier.cache.size;
    const forged = issuer.mint({ key: generateTestKey(2048, issuer.key.kid) });
    for (let i = 0; i < 3; i += 1) expect((await call(forged)).status).toBe(401);
    expect(resource.verifier.cache.size).toBe(before);
  });

  it('refuses a cached token once its session is revoked', async () => {
    const sid = `session-${Date.now()}`;
    const token = issuer.mint({ claims: { sid } });
    for (let i = 0; i < 3; i += 1) expect((await call(token)).status).toBe(200);
    const { hits } = resource.verifier.cache;
    expect((await call(token)).status).toBe(200);
    expect(resource.verifier.cache.hits).toBe(hits + 1); // it is served from the cache
    issuer.feed.revoked.push(sid);
    await eventually(
      () => call(token),
      (response) => response.status === 401,
      { what: 'the revoked token to be refused', timeoutMs: 5000, intervalMs: 50 },
    );
    expect((await call(token)).body).toMatchObject({ code: 'invalid_token' });
  });

  it('refuses a cached token once its key leaves the JWKS', async () => {
    const retiring = generateTestKey();
    issuer.keys.push(retiring);
    await resource.jwks.refresh();
    const token = issuer.mint({ key: retiring });
    for (let i = 0; i < 3; i += 1) expect((await call(token)).status).toBe(200);
    expect(resource.verifier.cache.size).toBeGreaterThan(0);
    issuer.keys.splice(issuer.keys.indexOf(retiring), 1);
    await resource.jwks.refresh();
    const response = await call(token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refuses a cached token once its kid names another key', async () => {
    const replaced = generateTestKey();
    issuer.keys.push(replaced);
    await resource.jwks.refresh();
    const token = issuer.mint({ key: replaced });
    for (let i = 0; i < 3; i += 1) expect((await call(token)).status).toBe(200);
    expect(resource.verifier.cache.size).toBeGreaterThan(0);
    // The issuer publishes a new key under the old kid (a compromised key regenerated under its
    // name): full verification refuses the token, so a cached verification must not stand either.
    issuer.keys.splice(issuer.keys.indexOf(replaced), 1, generateTestKey(2048, replaced.kid));
    await resource.jwks.refresh();
    const response = await call(token);
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 'invalid_token' });
  });

  it('refuses a cached token once it expires', async () => {
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = issuer.mint({ claims: { exp } });
    for (let i = 0; i < 3; i += 1) expect((await call(token)).status).toBe(200);
    await eventually(
      () => call(token),
      (response) => response.status === 401,
      { what: 'the expired token to be refused', timeoutMs: 5000, intervalMs: 50 },
    );
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
  });
});
