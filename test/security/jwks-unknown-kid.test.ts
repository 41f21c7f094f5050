import { randomBytes } from 'node:crypto';
import type { RunningResourceService } from '@authpair/resource';
import { request } from '../support/http';
import { startResource } from '../support/services';
import { TestIssuer } from '../support/test-issuer';

const COOLDOWN_MS = 3000;

jest.setTimeout(30_000);

let issuer: TestIssuer;
let resource: RunningResourceService;

beforeAll(async () => {
  issuer = await new TestIssuer().start();
});
afterAll(async () => {
  await resource?.stop(1000);
  await issuer?.stop();
});

/** Well-formed, validly signed tokens whose kid the issuer never published. */
const randomKidTokens = (count: number) =>
  Array.from({ length: count }, () =>
    issuer.mint({ header: { kid: randomBytes(32).toString('base64url') } }),
  );

const flood = (tokens: string[]) =>
  Promise.all(
    tokens.map((token) =>
      request(`${resource.url}/protected`, { headers: { authorization: `Bearer ${token}` } }),
    ),
  );

const sleepUntil = (at: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

/**
 * The most fetches the endpoint may see by now: the start-up fetch, and one
 * per cooldown that has passed since. On a quiet machine a flood of 500
 * ends well inside one cooldown, so this is 1 then 2; on a loaded one a
 * flood can outlast a cooldown, and one more fetch is then allowed, not a
 * failure (CI saw 3.1 s for the first flood with a 3 s cooldown).
 */
const allowedFetches = (since: number) => 1 + Math.floor((Date.now() - since) / COOLDOWN_MS);

// SECURITY.md, hostile-input catalogue 6.
describe('hundreds of tokens with random kids', () => {
  it('answers every one 401 and costs the JWKS endpoint at most one fetch per cooldown', async () => {
    const [first, second] = [randomKidTokens(500), randomKidTokens(500)];
    const startedAt = Date.now();
    resource = await startResource(issuer.url, {
      JWKS_URL: issuer.jwksUrl,
      JWKS_COOLDOWN_MS: String(COOLDOWN_MS),
    });
    expect(issuer.jwksFetches).toBe(1); // the start-up fetch

    // Within the cooldown of that fetch: no fetch at all (when the flood
    // ends inside it, as it does unless the machine is loaded).
    const early = await flood(first);
    expect(issuer.jwksFetches).toBeLessThanOrEqual(allowedFetches(startedAt));

    // Once the cooldown has passed: one fetch, shared by all 500.
    await sleepUntil(startedAt + COOLDOWN_MS + 100);
    const late = await flood(second);
    // The cooldown had passed, so the unknown kids did cause a fetch...
    expect(issuer.jwksFetches).toBeGreaterThanOrEqual(2);
    // ...and never more than one per cooldown.
    expect(issuer.jwksFetches).toBeLessThanOrEqual(allowedFetches(startedAt));

    for (const response of [...early, ...late]) {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
    const metrics = await request(`${resource.url}/metrics`);
    expect(metrics.text).toMatch(/^jwks_unknown_kid_total\{[^}]*\} 1000$/m);
    expect(metrics.text).toMatch(
      new RegExp(`^jwks_fetches_total\\{outcome="success"[^}]*\\} ${issuer.jwksFetches}$`, 'm'),
    );
  });
});
