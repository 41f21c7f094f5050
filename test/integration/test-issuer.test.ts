import type { RunningResourceService } from '@authpair/resource';
import { request } from '../support/http';
import { startResource } from '../support/services';
import { generateTestKey, TestIssuer } from '../support/test-issuer';

let issuer: TestIssuer;
let resource: RunningResourceService;

beforeAll(async () => {
  issuer = await new TestIssuer().start();
  resource = await startResource(issuer.url, { JWKS_URL: issuer.jwksUrl });
});
afterAll(async () => {
  await resource?.stop(1000);
  await issuer?.stop();
});

const call = (token: string) =>
  request(`${resource.url}/protected`, { headers: { authorization: `Bearer ${token}` } });

describe('the test issuer used by the security suite', () => {
  it('mints tokens the resource service accepts', async () => {
    const response = await call(issuer.mint({ claims: { username: 'trudy' } }));
    expect(response.status).toBe(200);
    expect(response.body.message).toBe('Hello, trudy! This is a protected resource.');
  });

  it('mints tokens signed by a key the resource service does not know', async () => {
    const response = await call(issuer.mint({ key: generateTestKey() }));
    expect(response.status).toBe(401);
  });
});
