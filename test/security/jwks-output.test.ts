import type { RunningAuthService } from '@authpair/auth';
import { base64urlIntegerBits, PRIVATE_JWK_MEMBERS } from '@authpair/contracts';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { request } from '../support/http';
import { startAuth } from '../support/services';

let db: TestDatabase;
let auth: RunningAuthService;

beforeAll(async () => {
  db = await createTestDatabase();
  auth = await startAuth(db.url);
});
afterAll(async () => {
  await auth?.stop(1000);
  await db?.drop();
});

// SECURITY.md, hostile-input catalogue 27.
describe('JWKS output', () => {
  it('publishes no private members; each key has kid, alg RS256, use sig and a modulus of 2048 bits or more', async () => {
    const response = await request(`${auth.url}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.body.keys.length).toBeGreaterThan(0);
    for (const key of response.body.keys) {
      for (const member of PRIVATE_JWK_MEMBERS) expect(key).not.toHaveProperty(member);
      expect(key).toMatchObject({ kid: expect.any(String), kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(base64urlIntegerBits(key.n)).toBeGreaterThanOrEqual(2048);
    }
  });
});
