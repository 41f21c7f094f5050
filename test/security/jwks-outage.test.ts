import type { RunningResourceService } from '@authpair/resource';
import { eventually, request } from '../support/http';
import { startResource } from '../support/services';
import {
  ENDLESS_BYTES,
  generateTestKey,
  type JwksBehaviour,
  TestIssuer,
} from '../support/test-issuer';

const TIMEOUT_MS = 300;
const COOLDOWN_MS = 600;

jest.setTimeout(30_000);

const issuers: TestIssuer[] = [];
const resources: RunningResourceService[] = [];

afterAll(async () => {
  await Promise.all(resources.map((resource) => resource.stop(1000)));
  await Promise.all(issuers.map((issuer) => issuer.stop()));
});

async function setUp(env: Record<string, string> = {}) {
  const issuer = await new TestIssuer().start();
  issuers.push(issuer);
  const start = () =>
    startResource(issuer.url, {
      JWKS_URL: issuer.jwksUrl,
      JWKS_TIMEOUT_MS: String(TIMEOUT_MS),
      JWKS_COOLDOWN_MS: String(COOLDOWN_MS),
      ...env,
    }).then((resource) => {
      resources.push(resource);
      return resource;
    });
  return { issuer, start };
}

/** Failed JWKS fetches the resource service counted, from its /metrics. */
async function failedFetches(resource: RunningResourceService): Promise<number> {
  const { text } = await request(`${resource.url}/metrics`);
  const match = /^jwks_fetches_total\{outcome="failure"[^}]*\} (\d+)$/m.exec(text);
  return Number(match?.[1] ?? 0);
}

async function call(resource: RunningResourceService, token: string) {
  const startedAt = Date.now();
  const response = await request(`${resource.url}/protected`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { ...response, ms: Date.now() - startedAt };
}

/** Takes the issuer's JWKS endpoint down, or makes it misbehave. */
type Trouble = { kind: 'down' } | JwksBehaviour;

async function makeTrouble(issuer: TestIssuer, trouble: Trouble) {
  if (trouble.kind === 'down') await issuer.stop();
  else issuer.behaviour = trouble;
}

async function recover(issuer: TestIssuer, trouble: Trouble) {
  if (trouble.kind === 'down') await issuer.start(Number(new URL(issuer.url).port));
  issuer.behaviour = { kind: 'ok', maxAge: 300 };
}

const troubles: Array<[string, Trouble]> = [
  ['down (connection refused)', { kind: 'down' }],
  ['resetting connections', { kind: 'reset' }],
  ['slower than the timeout', { kind: 'slow', delayMs: 5000 }],
  ['answering HTML', { kind: 'html' }],
  ['answering {}', { kind: 'json', body: {} }],
  ['answering 500', { kind: 'status', status: 500 }],
];

// SECURITY.md, hostile-input catalogue 13.
describe('the JWKS endpoint in trouble', () => {
  describe.each(troubles)('with a cold cache, the endpoint %s', (_name, trouble) => {
    it('answers 503 with Retry-After within the timeout, fetches once per cooldown, and recovers', async () => {
      const { issuer, start } = await setUp();
      await makeTrouble(issuer, trouble);
      const resource = await start();
      const token = issuer.mint();
      const fetchesAtStart = issuer.requests.length;
      expect(await failedFetches(resource)).toBe(1); // the start-up attempt

      // Past the cooldown of the start-up attempt, 50 requests at once share one new attempt.
      await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS));
      const answers = await Promise.all(Array.from({ length: 50 }, () => call(resource, token)));
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(answer.body).toMatchObject({ code: 'jwks_unavailable' });
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(answer.ms).toBeLessThan(TIMEOUT_MS + 750);
      }
      // No pile-up: the 50 requests shared one attempt; the background retry, due one
      // cooldown after start-up, may have made one more, never one per request. A retry
      // the issuer has seen may still be waiting for its timeout: count once it failed.
      const seen = () => issuer.requests.length - fetchesAtStart;
      const attempts =
        trouble.kind === 'down'
          ? (await failedFetches(resource)) - 1
          : await eventually(
              async () => (await failedFetches(resource)) - 1,
              (failed) => failed === seen(),
              {
                what: 'every fetch the issuer saw to have failed',
                timeoutMs: TIMEOUT_MS * 4,
                intervalMs: 25,
              },
            );
      expect(attempts).toBeGreaterThanOrEqual(1);
      expect(attempts).toBeLessThanOrEqual(2);
      if (trouble.kind !== 'down') expect(seen()).toBe(attempts);

      const ready = await request(`${resource.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body.checks.jwks).toMatchObject({ status: 'down', cache: 'never_fetched' });

      await recover(issuer, trouble);
      const back = await eventually(
        () => call(resource, token),
        (answer) => answer.status === 200,
        { what: 'the resource service to accept the token again', timeoutMs: COOLDOWN_MS * 3 },
      );
      expect(back.body.claims.username).toBe('mallory');
      const readyAgain = await request(`${resource.url}/readyz`);
      expect(readyAgain.body.checks.jwks).toMatchObject({ status: 'up', cache: 'fresh' });
    });
  });

  it('stops reading a chunked key set past 512 KB, long before the timeout, and counts it as too large', async () => {
    const { issuer, start } = await setUp({ JWKS_TIMEOUT_MS: '10000' });
    issuer.behaviour = { kind: 'endless' };
    const startedAt = Date.now();
    const resource = await start(); // its first fetch meets the endless body
    expect(Date.now() - startedAt).toBeLessThan(5000);
    const { text } = await request(`${resource.url}/metrics`);
    expect(text).toMatch(/^jwks_fetch_failures_total\{reason="too_large"[^}]*\} 1$/m);
    await eventually(() => issuer.streamed.closedByClient, Boolean, {
      what: 'the client to hang up',
      timeoutMs: 5000,
      intervalMs: 20,
    });
    // It hung up long before the endpoint stopped sending (only socket buffers past the cap).
    expect(issuer.streamed.bytes).toBeLessThan(ENDLESS_BYTES / 2);
  });

  it('keeps verifying tokens of cached keys while the endpoint is down, for a bounded time', async () => {
    const { issuer, start } = await setUp({ JWKS_MIN_TTL: '0', JWKS_MAX_STALE: '3' });
    issuer.behaviour = { kind: 'ok', maxAge: 1 };
    const resource = await start();
    const token = issuer.mint();
    expect((await call(resource, token)).status).toBe(200);

    await makeTrouble(issuer, { kind: 'down' });
    await eventually(
      async () => (await request(`${resource.url}/readyz`)).body.checks.jwks.cache === 'stale',
      Boolean,
      { what: 'the key set to go stale', timeoutMs: 5000 },
    );
    const stale = await call(resource, token);
    expect(stale.status).toBe(200);
    const ready = await request(`${resource.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body.checks.jwks).toMatchObject({
      status: 'degraded',
      usableUntil: expect.any(String),
    });

    // A key it never saw cannot be judged while the endpoint is down: 503, not 401.
    const unknown = await call(resource, issuer.mint({ key: generateTestKey() }));
    expect(unknown.status).toBe(503);
    expect(Number(unknown.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // Past max-age + JWKS_MAX_STALE the old set is no longer trusted.
    await eventually(
      async () => (await request(`${resource.url}/readyz`)).body.checks.jwks.cache === 'expired',
      Boolean,
      { what: 'the stale allowance to run out', timeoutMs: 8000, intervalMs: 200 },
    );
    expect((await call(resource, token)).status).toBe(503);

    await recover(issuer, { kind: 'down' });
    await eventually(async () => (await call(resource, token)).status === 200, Boolean, {
      what: 'recovery',
      timeoutMs: COOLDOWN_MS * 3,
    });
    const metrics = (await request(`${resource.url}/metrics`)).text;
    expect(metrics).toMatch(/^jwks_fetch_failures_total\{reason="network"[^}]*\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^jwks_cache_state\{state="fresh"[^}]*\} 1$/m);
  });
});
