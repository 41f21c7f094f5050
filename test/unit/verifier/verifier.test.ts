import { generateKeyPairSync } from 'node:crypto';
import {
  createVerifier,
  type VerificationOutcome,
  type Verifier,
  type VerifierOptions,
} from '@authpair/verifier';
import { SignJWT } from 'jose';

// createVerifier's own contract: its options, the order of its steps and
// what it reports. The JWKS and the feed are scripted fetches here; over
// real HTTP, the security suite and the adapter runs cover them.

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };
const ISSUER = 'https://issuer.test';
const revokedSids: string[] = [];
const fetched = new Set<string>();

const scriptedFetch = (async (url: string | URL | Request) => {
  fetched.add(String(url));
  if (String(url).includes('/internal/revocations'))
    return Response.json({
      revocations: revokedSids.map((sid) => ({
        sid,
        revoked_at: new Date().toISOString(),
        reason: 'logout',
      })),
      cursor: '1',
      has_more: false,
    });
  return Response.json({ keys: [jwk] }, { headers: { 'cache-control': 'max-age=300' } });
}) as typeof fetch;

const base: VerifierOptions = {
  issuer: ISSUER,
  audience: 'api',
  jwksUrl: 'https://issuer.test/.well-known/jwks.json',
  revocation: { token: 'feed-secret' },
  fetch: scriptedFetch,
};

const verifiers: Verifier[] = [];
afterAll(() => Promise.all(verifiers.map((verifier) => verifier.close())));

function verifierWith(options: Partial<VerifierOptions> = {}) {
  const outcomes: VerificationOutcome[] = [];
  const verifier = createVerifier({
    ...base,
    observer: { verified: (outcome) => outcomes.push(outcome) },
    ...options,
  });
  verifiers.push(verifier);
  return { verifier, outcomes };
}

function mint(claims: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: ISSUER,
    aud: 'api',
    sub: 'u',
    jti: `j-${Math.random()}`,
    iat: now,
    exp: now + 300,
    client_id: 'web',
    username: 'alice',
    sid: 's-1',
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' })
    .sign(privateKey);
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: { code?: string }) => error.code,
  );

describe('createVerifier', () => {
  it('refuses options that cannot work, naming each', () => {
    expect(() =>
      createVerifier({
        ...base,
        issuer: '',
        jwksUrl: 'file:///etc/passwd',
        revocation: { token: 't', pollIntervalMs: 5000, maxLagMs: 1000 },
      }),
    ).toThrow(
      /issuer must be a non-empty string; jwksUrl must be an absolute http or https URL.*maxLagMs must be greater than revocation.pollIntervalMs/,
    );
    expect(() => createVerifier({ ...base, revocation: undefined as never })).toThrow(
      /revocation must be \{ token \}/,
    );
  });

  it('reads the feed from the JWKS host unless told otherwise, with the documented defaults', async () => {
    const { verifier } = verifierWith();
    await verifier.ready();
    expect(fetched).toContain('https://issuer.test/internal/revocations?limit=5000');
    expect(verifier.realm).toBe('authpair');
    expect(verifier.health()).toMatchObject({
      status: 'ready',
      checks: { jwks: { status: 'up', cache: 'fresh', keys: 1 }, revocations: { status: 'up' } },
    });
  });

  it('counts each verification before the revocation step, from memory or in full', async () => {
    const { verifier, outcomes } = verifierWith();
    await verifier.ready();
    const token = await mint();
    for (let i = 0; i < 3; i += 1) await verifier.verify(token);
    expect(verifier.cache.hits).toBe(1);
    expect(await codeOf(verifier.verify(`${token}x`))).toBe('invalid_token');
    expect(outcomes).toEqual(['valid', 'valid', 'valid', 'invalid']);
  });

  it('keeps answering from memory across a refetch that changes no key', async () => {
    const { verifier } = verifierWith();
    await verifier.ready();
    const token = await mint();
    for (let i = 0; i < 2; i += 1) await verifier.verify(token);
    await verifier.jwks.refresh();
    await verifier.verify(token);
    expect(verifier.cache.hits).toBe(1);
  });

  it('refuses a token of an ended session even when its claims come from memory', async () => {
    const { verifier } = verifierWith();
    await verifier.ready();
    const token = await mint({ sid: 's-ended' });
    for (let i = 0; i < 3; i += 1) await verifier.verify(token);
    revokedSids.push('s-ended');
    await verifier.revocations?.poll();
    expect(await codeOf(verifier.verify(token))).toBe('invalid_token');
  });

  it('refuses a token without sid while reading the feed, and accepts it with revocation off', async () => {
    const token = await mint({ sid: undefined });
    const withFeed = verifierWith().verifier;
    const without = verifierWith({ revocation: false }).verifier;
    await Promise.all([withFeed.ready(), without.ready()]);
    expect(await codeOf(withFeed.verify(token))).toBe('invalid_token');
    expect(await codeOf(without.verify(token))).toBe('accepted');
    expect(without.health().checks).not.toHaveProperty('revocations');
  });

  it('refuses what is not a string with invalid_token: a JavaScript caller may pass anything', async () => {
    const { verifier, outcomes } = verifierWith();
    await verifier.ready();
    for (const token of [undefined, null, 42, {}, ['a.b.c']])
      expect(await codeOf(verifier.verify(token as never))).toBe('invalid_token');
    expect(outcomes).toEqual(Array(5).fill('invalid'));
  });

  it('authenticates a request by its Authorization header, as the resource service does', async () => {
    const { verifier } = verifierWith();
    await verifier.ready();
    const token = await mint();
    const request = (authorization?: string, url = '/x') => ({
      headers: authorization === undefined ? {} : { authorization },
      url,
    });
    await expect(verifier.authenticate(request(`Bearer ${token}`))).resolves.toMatchObject({
      username: 'alice',
    });
    expect(await codeOf(verifier.authenticate(request()))).toBe('missing_credentials');
    expect(await codeOf(verifier.authenticate(request('Basic abc')))).toBe('missing_credentials');
    expect(await codeOf(verifier.authenticate(request('Bearer a b')))).toBe('invalid_token');
    expect(
      await codeOf(verifier.authenticate(request(`Bearer ${token}`, `/x?access_token=${token}`))),
    ).toBe('invalid_request');
  });

  it('is unready, and answers 503, until the keys can be fetched', async () => {
    const { verifier, outcomes } = verifierWith({
      fetch: (async () => new Response('down', { status: 503 })) as typeof fetch,
    });
    const health = await verifier.ready();
    expect(health.status).toBe('unready');
    expect(health.checks.jwks).toMatchObject({ status: 'down', cache: 'never_fetched' });
    expect(await codeOf(verifier.verify(await mint()))).toBe('jwks_unavailable');
    expect(outcomes).toEqual(['jwks_unavailable']);
  });
});
