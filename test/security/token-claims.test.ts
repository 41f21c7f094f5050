import { randomUUID } from 'node:crypto';
import { type AttackTarget, startAttackTarget } from '../support/attack-target';
import { expectInvalidToken } from '../support/problems';
import { TEST_AUDIENCE, TEST_ISSUER } from '../support/services';

// Well-signed tokens whose header or claims make them unacceptable, and
// strings that are not JWTs at all: 401 with error="invalid_token".

const CLOCK_TOLERANCE = 5;
const MAX_TOKEN_AGE = 3600;

let target: AttackTarget;

beforeAll(async () => {
  target = await startAttackTarget({
    CLOCK_TOLERANCE: String(CLOCK_TOLERANCE),
    ACCESS_TOKEN_MAX_AGE: String(MAX_TOKEN_AGE),
  });
});
afterAll(() => target?.stop());

const now = () => Math.floor(Date.now() / 1000);
const withClaims = (claims: Record<string, unknown>) => target.issuer.mint({ claims });
const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

// SECURITY.md, hostile-input catalogue 7.
describe('token lifetime', () => {
  it('accepts a token that expired within the clock tolerance (the control)', async () => {
    const response = await target.bearer(withClaims({ exp: now() - 1 }));
    expect(response.status).toBe(200);
  });

  it('rejects a token whose exp is past the leeway', async () => {
    expectInvalidToken(await target.bearer(withClaims({ exp: now() - CLOCK_TOLERANCE - 5 })));
    expectInvalidToken(await target.bearer(withClaims({ exp: now() - 61 })));
  });

  it('rejects a token whose nbf is in the future', async () => {
    expectInvalidToken(await target.bearer(withClaims({ nbf: now() + CLOCK_TOLERANCE + 60 })));
  });

  it('rejects a token whose iat is in the future', async () => {
    expectInvalidToken(await target.bearer(withClaims({ iat: now() + CLOCK_TOLERANCE + 60 })));
  });

  it('rejects a token without exp', async () => {
    expectInvalidToken(await target.bearer(withClaims({ exp: undefined })));
  });

  it('rejects a token without iat, or issued longer ago than the maximum token age', async () => {
    expectInvalidToken(await target.bearer(withClaims({ iat: undefined })));
    const old = now() - MAX_TOKEN_AGE - 120;
    expectInvalidToken(await target.bearer(withClaims({ iat: old, exp: now() + 300 })));
  });

  it.each([
    ['a string exp', { exp: String(now() + 300) }],
    ['a negative exp', { exp: -1 }],
    ['an exp far in the future but an iat past the maximum age', { exp: 1e12, iat: 1 }],
  ])('rejects a token with %s', async (_name, claims) => {
    expectInvalidToken(await target.bearer(withClaims(claims)));
  });
});

// SECURITY.md, hostile-input catalogue 8.
describe('the wrong issuer, audience or token type', () => {
  it('rejects a token from another issuer', async () => {
    expectInvalidToken(await target.bearer(withClaims({ iss: 'https://evil.example' })));
    expectInvalidToken(await target.bearer(withClaims({ iss: `${TEST_ISSUER}/` })));
  });

  it('rejects a token for another audience, or with none', async () => {
    expectInvalidToken(await target.bearer(withClaims({ aud: 'another-api' })));
    expectInvalidToken(await target.bearer(withClaims({ aud: ['another-api', 'a-third'] })));
    expectInvalidToken(await target.bearer(withClaims({ aud: undefined })));
  });

  it('accepts a token whose audience list includes this service (the control)', async () => {
    const response = await target.bearer(withClaims({ aud: ['another-api', TEST_AUDIENCE] }));
    expect(response.status).toBe(200);
  });

  it.each([
    ['a refresh token (typ rt+jwt)', { typ: 'rt+jwt' }],
    ['an ID token (typ JWT)', { typ: 'JWT' }],
    ['a token without typ', { typ: undefined }],
    ['a token typed application/at+jwt in the wrong case', { typ: 'AT+JWT-X' }],
  ])('rejects %s sent as an access token', async (_name, header) => {
    expectInvalidToken(await target.bearer(target.issuer.mint({ header })));
  });

  it('rejects an opaque refresh token sent as an access token', async () => {
    expectInvalidToken(await target.bearer(`rt_${randomUUID().replaceAll('-', '')}`));
  });

  it('rejects a token without sub or jti', async () => {
    expectInvalidToken(await target.bearer(withClaims({ sub: undefined })));
    expectInvalidToken(await target.bearer(withClaims({ jti: undefined })));
  });
});

// SECURITY.md, hostile-input catalogue 10.
describe('not a JWT at all', () => {
  const valid = () => target.issuer.mint().split('.') as [string, string, string];

  it.each([
    ['two segments', () => valid().slice(0, 2).join('.')],
    ['five segments (a JWE shape)', () => [...valid(), 'AAAA', 'BBBB'].join('.')],
    ['four segments', () => [...valid(), 'AAAA'].join('.')],
    [
      'base64 padding',
      () =>
        valid()
          .map((part) => `${part}==`)
          .join('.'),
    ],
    ['non-base64url characters', () => valid().join('.').replace(/.$/, '+/')],
    ['a JSON array as header', () => [b64url('[1,2,3]'), ...valid().slice(1)].join('.')],
    ['a JSON string as header', () => [b64url('"RS256"'), ...valid().slice(1)].join('.')],
    ['a header that is not JSON', () => [b64url('{alg:RS256'), ...valid().slice(1)].join('.')],
    [
      'a header that is not UTF-8',
      () => [b64url(Buffer.from([0xff, 0xfe, 0x7b, 0xc0])), ...valid().slice(1)].join('.'),
    ],
    ['a payload that is not JSON', () => [valid()[0], b64url('claims'), valid()[2]].join('.')],
    ['a lone word', () => 'token'],
    ['dots only', () => '...'],
  ])('rejects a bearer credential of %s', async (_name, token) => {
    expectInvalidToken(await target.bearer(token()));
  });

  it('rejects characters outside the b64token grammar (RFC 6750 §2.1)', async () => {
    const response = await target.get({ authorization: `Bearer ${valid().join('.')}!` });
    expectInvalidToken(response);
  });
});
