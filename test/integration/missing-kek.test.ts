import type { RunningAuthService } from '@authpair/auth';
import { eventually, GOOD_PASSWORD, request, uniqueUsername } from '../support/http';
import { expectProblem } from '../support/problems';
import { TEST_KEK, useServices } from '../support/services';

// A KEK rotation done out of order: `keys rotate` runs with the new KEK
// before every replica has it, and the key sealed under it becomes active.
// A replica that cannot open the active key cannot sign: it must say so
// with 503 and Retry-After (a client retries, and the load balancer's
// readiness probe takes the replica out), never 500 and never "ready".

const REFRESH_MS = 200;
const NEW_KEK = `kek2:${Buffer.alloc(32, 42).toString('base64')}`;

const services = useServices({ auth: false });
let lacking: RunningAuthService;
let complete: RunningAuthService;

beforeAll(async () => {
  // Short only where staleness is the point: the other replica is refreshed by the test.
  lacking = await services.startAuth({ SIGNING_KEY_REFRESH_MS: String(REFRESH_MS) });
  complete = await services.startAuth({ KEY_ENCRYPTION_KEYS: `${NEW_KEK},${TEST_KEK}` });
});

const kidOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()).kid as string;

describe('a replica that cannot open the active signing key', () => {
  it('answers logins and the JWKS 503 with Retry-After and reports itself not ready', async () => {
    const username = uniqueUsername();
    const credentials = { username, password: GOOD_PASSWORD };
    expect((await request(`${lacking.url}/register`, { body: credentials })).status).toBe(201);
    const login = (replica: RunningAuthService) =>
      request(`${replica.url}/login`, { body: credentials });
    expect((await login(lacking)).status).toBe(200);

    const { pending } = await complete.signingKeys.lifecycle.rotate();
    await complete.signingKeys.lifecycle.activate(pending.kid, { force: true });
    await complete.keys.refresh();

    const refused = await eventually(
      () => login(lacking),
      (response) => response.status !== 200,
      { what: 'logins to be refused', intervalMs: 50 },
    );
    expectProblem(refused, 503, 'service_unavailable');
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);

    const readiness = await request(`${lacking.url}/readyz`);
    expect(readiness.status).toBe(503);
    expect(readiness.body).toMatchObject({
      status: 'unready',
      checks: { signing_keys: { status: 'down' } },
    });

    // Nor does it publish a set it can no longer vouch for.
    const jwks = await request(`${lacking.url}/.well-known/jwks.json`);
    expectProblem(jwks, 503, 'service_unavailable');
    expect(jwks.headers.get('retry-after')).toMatch(/^\d+$/);

    // The replica that has the KEK signs with the new key.
    const signed = await login(complete);
    expect(signed.status).toBe(200);
    expect(kidOf(signed.body.access_token)).toBe(pending.kid);
    expect((await request(`${complete.url}/readyz`)).status).toBe(200);
  });
});
