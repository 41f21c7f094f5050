import { type AttackTarget, startAttackTarget } from '../support/attack-target';
import { rawRequest } from '../support/http';
import { expectBareChallenge, expectInvalidToken, expectProblem } from '../support/problems';

// How the credential travels: its size, its scheme, and where it is put.

let target: AttackTarget;

beforeAll(async () => {
  target = await startAttackTarget();
});
afterAll(() => target?.stop());

// SECURITY.md, hostile-input catalogue 11.
describe('oversized credentials', () => {
  it('answers an Authorization header over 16 KiB with 431 before the app sees it', async () => {
    const response = await rawRequest(`${target.resource.url}/protected`, {
      method: 'GET',
      headers: { authorization: `Bearer ${'A'.repeat(17 * 1024)}` },
    });
    expect(response.status).toBe(431);
    // Every response the app writes carries a request id; this one never reached it.
    expect(response.headers.get('x-request-id')).toBeNull();
  });

  it('rejects an 8 KB junk token with 401 invalid_token', async () => {
    expectInvalidToken(await target.bearer('A'.repeat(8 * 1024)));
    expectInvalidToken(await target.bearer(`${'A'.repeat(4 * 1024)}.${'B'.repeat(4 * 1024)}.C`));
  });
});

// SECURITY.md, hostile-input catalogue 12.
describe('missing credentials, other schemes, and tokens in the URL', () => {
  it('answers no Authorization header with 401 and a challenge without an error code', async () => {
    expectBareChallenge(await target.get({}));
  });

  it.each([
    ['Basic credentials', 'Basic YWxpY2U6c2VjcmV0'],
    ['Digest credentials', 'Digest username="alice"'],
    ['a token without a scheme', () => target.issuer.mint()],
    ['a blank Authorization header', ' '],
  ])('answers %s with 401 and a bare Bearer challenge', async (_name, value) => {
    const authorization = typeof value === 'function' ? value() : value;
    expectBareChallenge(await target.get({ authorization }));
  });

  it('answers the Bearer scheme with no token with 401 invalid_token', async () => {
    expectInvalidToken(await target.get({ authorization: 'Bearer' }));
    expectInvalidToken(await target.get({ authorization: 'Bearer    ' }));
  });

  it('answers a token both in the header and in the query with 400 invalid_request', async () => {
    const token = target.issuer.mint();
    const response = await target.get(
      { authorization: `Bearer ${token}` },
      `?access_token=${token}`,
    );
    expectProblem(response, 400, 'invalid_request');
    expect(response.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="authpair", error="invalid_request", error_description="[^"]+"$/,
    );
  });

  it('answers a token in the query alone, or repeated, with 400 invalid_request', async () => {
    const token = target.issuer.mint();
    expectProblem(await target.get({}, `?access_token=${token}`), 400, 'invalid_request');
    expectProblem(
      await target.get({}, `?access_token=${token}&access_token=${token}`),
      400,
      'invalid_request',
    );
  });

  it('accepts the same token in the header alone (the control)', async () => {
    expect((await target.bearer(target.issuer.mint())).status).toBe(200);
  });
});
