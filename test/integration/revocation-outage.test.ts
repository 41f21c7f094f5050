import type { RunningResourceService } from '@authpair/resource';
import { bearer, eventually, type ReadResponse, request } from '../support/http';
import { startResource } from '../support/services';
import { metricValue } from '../support/sessions';
import { TestIssuer } from '../support/test-issuer';

/**
 * The resource service when the revocation feed cannot be read: it says so
 * in /readyz and /metrics, and past REVOCATION_MAX_LAG_MS it refuses tokens
 * (fail closed) or, configured so, accepts them (fail open).
 */
let issuer: TestIssuer;
const started: RunningResourceService[] = [];

const FAST = { REVOCATION_POLL_INTERVAL_MS: '100', REVOCATION_MAX_LAG_MS: '500' };

beforeAll(async () => {
  issuer = await new TestIssuer().start();
});
beforeEach(() => {
  issuer.feed.up = true;
});
afterAll(async () => {
  await Promise.all(started.map((resource) => resource.stop(1000)));
  await issuer?.stop();
});

async function resource(env: Record<string, string> = {}): Promise<RunningResourceService> {
  const service = await startResource(issuer.url, { JWKS_URL: issuer.jwksUrl, ...FAST, ...env });
  started.push(service);
  return service;
}

const call = (service: RunningResourceService, token = issuer.mint()) =>
  request(`${service.url}/protected`, { headers: bearer(token) });
const readyz = (service: RunningResourceService) => request(`${service.url}/readyz`);

describe('revocation feed unreachable, failing closed (the default)', () => {
  it('refuses tokens with 503 and Retry-After past the bound, says so, and recovers', async () => {
    const service = await resource();
    expect((await call(service)).status).toBe(200);
    issuer.feed.up = false;

    const refused = await eventually(
      () => call(service),
      (response) => response.status !== 200,
    );
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body).toMatchObject({ code: 'revocation_unavailable', status: 503 });

    const ready = await readyz(service);
    expect(ready.status).toBe(503);
    expect(ready.body.checks.revocations).toMatchObject({
      status: 'down',
      list: 'lagging',
      lastError: 'revocation feed answered 503',
    });
    const metrics = (await request(`${service.url}/metrics`)).text;
    expect(metricValue(metrics, 'revocation_feed_lag_seconds')).toBeGreaterThan(0.5);
    expect(metricValue(metrics, 'revocation_feed_read_failures_total')).toBeGreaterThan(0);
    expect(
      metricValue(metrics, 'revocation_refusals_total', 'reason="list_outdated"'),
    ).toBeGreaterThan(0);

    issuer.feed.up = true;
    await eventually(
      () => call(service),
      (response: ReadResponse) => response.status === 200,
    );
    expect((await readyz(service)).status).toBe(200);
  });

  it('refuses every token from the start when the feed was never read', async () => {
    issuer.feed.up = false;
    const service = await resource();
    const response = await call(service);
    expect(response.status).toBe(503);
    expect(response.body.code).toBe('revocation_unavailable');
    expect((await readyz(service)).body.checks.revocations).toMatchObject({
      status: 'down',
      list: 'never_read',
      lagMs: null,
    });
  });
});

describe('revocation feed unreachable, failing open (REVOCATION_FAIL_MODE=open)', () => {
  it('keeps accepting tokens, reports itself degraded, and still refuses known ended sessions', async () => {
    const service = await resource({ REVOCATION_FAIL_MODE: 'open' });
    const endedSid = '7b0e4a52-3c1e-4f7e-9a55-0d9f3d1b2c11';
    issuer.feed.revoked.push(endedSid);
    const ended = issuer.mint({ claims: { sid: endedSid } });
    await eventually(
      () => call(service, ended),
      (response) => response.status === 401,
    );
    issuer.feed.up = false;
    await eventually(
      () => readyz(service),
      (response) => response.body.checks.revocations.list === 'lagging',
    );
    const ready = await readyz(service);
    expect(ready.status).toBe(200);
    expect(ready.body.checks.revocations.status).toBe('degraded');
    expect((await call(service)).status).toBe(200);
    expect((await call(service, ended)).status).toBe(401);
  });
});

describe('tokens the revocation step cannot place', () => {
  it('refuses a verified token bound to no session: it could never be revoked', async () => {
    const service = await resource();
    const response = await call(service, issuer.mint({ claims: { sid: undefined } }));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/not bound to a session/);
  });

  it('reads the feed with the shared secret only', async () => {
    const service = await resource({
      REVOCATION_FEED_TOKEN: 'a-different-secret-of-at-least-32-chars',
    });
    expect((await call(service)).status).toBe(503);
    expect((await readyz(service)).body.checks.revocations.lastError).toBe(
      'revocation feed answered 401',
    );
  });
});
