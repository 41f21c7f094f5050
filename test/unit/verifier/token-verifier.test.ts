import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { AuthpairError } from '@authpair/contracts';
import { createTokenVerifier, InvalidTokenError, MAX_TOKEN_LENGTH } from '@authpair/verifier';
import { SignJWT } from 'jose';

// The one verification core, with a key resolver instead of a JWKS: what
// the auth service runs for its own tokens. The hostile-token catalogue
// runs against it end to end in test/security; this pins its contract.

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const policy = {
  issuer: 'https://issuer.test',
  audience: 'api',
  clockTolerance: 5,
  maxTokenAge: 3600,
};

function keyRing(keys: Record<string, KeyObject> = { k1: publicKey }) {
  const asked: string[] = [];
  const resolve = (kid: string) => {
    asked.push(kid);
    const key = keys[kid];
    if (key === undefined) throw new InvalidTokenError('the signing key is not known');
    return key;
  };
  return { asked, resolve };
}

function mint(
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: policy.issuer,
    aud: policy.audience,
    sub: 'user-1',
    jti: 'token-1',
    iat: now,
    exp: now + 300,
    client_id: 'web',
    username: 'alice',
    sid: 'session-1',
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'k1', ...header })
    .sign(privateKey);
}

async function refusal(promise: Promise<unknown>): Promise<AuthpairError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AuthpairError);
  return error as AuthpairError;
}

describe('the verification core', () => {
  it('returns the claims of a token of the profile and the kid that verified it, dropping unknown members', async () => {
    const { resolve } = keyRing();
    const verify = createTokenVerifier(policy, resolve);
    const { claims, kid } = await verify(await mint({ scope: 'profile', extra: 'x' }));
    expect(kid).toBe('k1');
    expect(claims).toMatchObject({ sub: 'user-1', username: 'alice', scope: 'profile' });
    expect(claims).not.toHaveProperty('extra');
  });

  it.each([
    ['an embedded jwk', { jwk: { kty: 'RSA' } }],
    ['a jku', { jku: 'http://127.0.0.1:1/jwks' }],
    ['an x5u', { x5u: 'http://127.0.0.1:1/cert' }],
    ['an x5c', { x5c: ['AAAA'] }],
    ['a kid with path traversal', { kid: '../../etc/passwd' }],
    ['no kid', { kid: undefined }],
  ])('refuses a token with %s without asking the resolver for any key', async (_name, header) => {
    const { asked, resolve } = keyRing();
    const verify = createTokenVerifier(policy, resolve);
    const error = await refusal(verify(await mint({}, header)));
    expect(error.code).toBe('invalid_token');
    expect(asked).toEqual([]);
  });

  it('refuses a token longer than MAX_TOKEN_LENGTH before decoding it', async () => {
    const { asked, resolve } = keyRing();
    const verify = createTokenVerifier(policy, resolve);
    const token = await mint({ padding: 'x'.repeat(MAX_TOKEN_LENGTH) });
    expect((await refusal(verify(token))).detail).toBe('the token is too long');
    expect(asked).toEqual([]);
  });

  it('lets an error of the resolver through as it is: keys that cannot be known are a 503, not a 401', async () => {
    const verify = createTokenVerifier(policy, () => {
      throw new AuthpairError('service_unavailable', 'retry later', { retryAfterSeconds: 5 });
    });
    const error = await refusal(verify(await mint()));
    expect(error.code).toBe('service_unavailable');
    expect(error.retryAfterSeconds).toBe(5);
  });

  it.each([
    ['client_id', { client_id: undefined }],
    ['username', { username: undefined }],
    ['sub', { sub: undefined }],
  ])('refuses a well-signed token without %s (RFC 9068 §2.2)', async (_name, claims) => {
    const verify = createTokenVerifier(policy, keyRing().resolve);
    expect((await refusal(verify(await mint(claims)))).code).toBe('invalid_token');
  });

  it('says which check failed, unless the policy words refusals its own way', async () => {
    const expired = await mint({ exp: Math.floor(Date.now() / 1000) - 60 });
    const forged = `${(await mint()).slice(0, -4)}AAAA`;
    const plain = createTokenVerifier(policy, keyRing().resolve);
    expect((await refusal(plain(expired))).detail).toBe('the token has expired');
    expect((await refusal(plain(forged))).detail).toBe('the signature is invalid');
    const terse = createTokenVerifier(
      { ...policy, describe: (r) => (r.kind === 'expired' ? 'expired' : 'invalid') },
      keyRing().resolve,
    );
    expect((await refusal(terse(expired))).detail).toBe('expired');
    expect((await refusal(terse(forged))).detail).toBe('invalid');
  });
});
