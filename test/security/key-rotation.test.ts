import { computeKeySchedule } from '@authpair/auth';
import type { RunningResourceService } from '@authpair/resource';
import { request } from '../support/http';
import { type Outcome, startLoad } from '../support/load';
import { startResource } from '../support/services';
import { generateTestKey, TestIssuer, type TestKey } from '../support/test-issuer';

jest.setTimeout(30_000);

const TOKEN_TTL = 5;
/** A verifier configured the way the schedule below is told verifiers behave. */
const VERIFIER = {
  JWKS_MIN_TTL: '0',
  JWKS_MAX_TTL: '1',
  JWKS_COOLDOWN_MS: '1000',
  CLOCK_TOLERANCE: '1',
};
/** The auth service's formula, with the same numbers; the stand-in issuer publishes instantly. */
const schedule = computeKeySchedule({
  jwksMaxAge: 1,
  verifierJwksMaxTtl: 1,
  verifierCooldown: 1,
  clockTolerance: 1,
  refreshIntervalMs: 0,
  accessTokenTtl: TOKEN_TTL,
});

const issuers: TestIssuer[] = [];
const resources: RunningResourceService[] = [];
afterAll(async () => {
  await Promise.all(resources.map((resource) => resource.stop(1000)));
  await Promise.all(issuers.map((issuer) => issuer.stop()));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function setUp(resourceEnv: Record<string, string>, maxAge: number) {
  const issuer = await new TestIssuer().start();
  issuer.behaviour = { kind: 'ok', maxAge };
  issuers.push(issuer);
  const resource = await startResource(issuer.url, { JWKS_URL: issuer.jwksUrl, ...resourceEnv });
  resources.push(resource);
  const call = (token: string) =>
    request(`${resource.url}/protected`, { headers: { authorization: `Bearer ${token}` } });
  return { issuer, call };
}

// SECURITY.md, hostile-input catalogue 14.
describe('signing-key rotation under load', () => {
  it('fails no request when each step waits as long as the schedule says', async () => {
    const { issuer, call } = await setUp(VERIFIER, 1);
    const oldKey = issuer.key;
    let signing: TestKey = oldKey;
    let heldOldToken: { token: string; exp: number } | undefined;

    const load = startLoad(4, async () => {
      const outcomes: Outcome[] = [];
      const exp = Math.floor(Date.now() / 1000) + TOKEN_TTL;
      const token = issuer.mint({ key: signing, claims: { exp } });
      if (signing === oldKey) heldOldToken = { token, exp };
      const fresh = await call(token);
      outcomes.push({
        what: signing.kid,
        status: fresh.status,
        ok: fresh.status === 200,
        at: Date.now(),
        detail: fresh.text,
      });
      const held = heldOldToken;
      if (held !== undefined && Date.now() < held.exp * 1000 - 500) {
        const again = await call(held.token);
        outcomes.push({
          what: 'held old token',
          status: again.status,
          ok: again.status === 200,
          at: Date.now(),
          detail: again.text,
        });
      }
      return outcomes;
    });
    try {
      await sleep(500);
      const newKey = generateTestKey();
      issuer.keys.push(newKey); // pending: published, not signing
      await sleep(schedule.pendingMs);
      signing = newKey; // active; the old key is retiring
      await sleep(schedule.retiringMs);
      issuer.keys.splice(issuer.keys.indexOf(oldKey), 1); // retired
      await sleep(1500); // verifiers refetch and drop it
    } finally {
      await load.stop();
    }

    expect(load.failures()).toEqual([]);
    const count = (what: string) => load.outcomes.filter((outcome) => outcome.what === what).length;
    expect(count(oldKey.kid)).toBeGreaterThan(10);
    expect(count(issuer.key.kid)).toBeGreaterThan(10);
    expect(count('held old token')).toBeGreaterThan(10);
  });

  it('refuses tokens of a key used before verifiers could fetch it: the failure the pending wait prevents', async () => {
    // A verifier that caches the set for a minute and refetches at most once a minute.
    const { issuer, call } = await setUp({ JWKS_MIN_TTL: '60', JWKS_COOLDOWN_MS: '60000' }, 60);
    expect((await call(issuer.mint())).status).toBe(200);
    const rushed = generateTestKey();
    issuer.keys.push(rushed);
    const response = await call(issuer.mint({ key: rushed }));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('the signing key is not known');
  });
});
