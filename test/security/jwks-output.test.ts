import type { RunningAuthService } from '@authpair/auth';
import { base64urlIntegerBits, PRIVATE_JWK_MEMBERS } from '@authpair/contracts';
import { request } from '../support/http';
import { useServices } from '../support/services';

const services = useServices({ auth: false });
let auth: RunningAuthService;

beforeAll(async () => {
  auth = await services.startAuth();
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
