import { createHmac, createPublicKey } from 'node:crypto';
import { type AttackTarget, startAttackTarget } from '../support/attack-target';
import { request } from '../support/http';
import { expectInvalidToken } from '../support/problems';
import { generateTestKey, TestIssuer } from '../support/test-issuer';

// Forged and tampered tokens against the resource service. Every answer
// must be 401 with error="invalid_token", and nothing named in a token may
// be fetched or looked up.

let target: AttackTarget;

beforeAll(async () => {
  // No cooldown: any lookup of an unknown kid would show as a JWKS fetch.
  target = await startAttackTarget({ JWKS_COOLDOWN_MS: '0' });
});
afterAll(() => target?.stop());

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

// SECURITY.md, hostile-input catalogue 1.
describe('tokens with alg none', () => {
  it.each(['none', 'None', 'NONE'])(
    'rejects a token with alg %s and an empty signature',
    async (alg) => {
      expectInvalidToken(await target.bearer(target.issuer.mint({ header: { alg }, sign: false })));
    },
  );

  it('rejects alg none even when a real signature is left on the token', async () => {
    const signed = target.issuer.mint();
    const [, payload, signature] = signed.split('.');
    const header = b64url(JSON.stringify({ alg: 'none', typ: 'at+jwt' }));
    expectInvalidToken(await target.bearer(`${header}.${payload}.${signature}`));
  });
});

// SECURITY.md, hostile-input catalogue 2.
describe('HS256 tokens keyed with the public key', () => {
  const hs256 = (secret: string) =>
    target.issuer.mint({
      header: { alg: 'HS256' },
      sign: (input) => createHmac('sha256', secret).update(input).digest(),
    });

  it('rejects an HS256 token whose HMAC key is the PEM of the public key', async () => {
    const pem = createPublicKey(target.issuer.key.privateKey).export({
      type: 'spki',
      format: 'pem',
    });
    expectInvalidToken(await target.bearer(hs256(pem.toString())));
  });

  it('rejects an HS256 token whose HMAC key is the published JWK', async () => {
    const published = (await request(target.issuer.jwksUrl)).body.keys[0];
    expectInvalidToken(await target.bearer(hs256(JSON.stringify(published))));
    expectInvalidToken(await target.bearer(hs256(published.n)));
  });
});

// SECURITY.md, hostile-input catalogue 3.
describe('tampered signatures and payloads', () => {
  const split = () => target.issuer.mint().split('.') as [string, string, string];

  it('accepts the untampered token (the control)', async () => {
    expect((await target.bearer(split().join('.'))).status).toBe(200);
  });

  it('rejects a token with its signature removed', async () => {
    const [header, payload] = split();
    expectInvalidToken(await target.bearer(`${header}.${payload}.`));
    expectInvalidToken(await target.bearer(`${header}.${payload}`));
  });

  it('rejects a token with its signature truncated', async () => {
    const [header, payload, signature] = split();
    expectInvalidToken(await target.bearer(`${header}.${payload}.${signature.slice(0, -8)}`));
  });

  it('rejects a token with one bit of its signature flipped', async () => {
    const [header, payload, signature] = split();
    const bytes = Buffer.from(signature, 'base64url');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0x01;
    expectInvalidToken(await target.bearer(`${header}.${payload}.${b64url(bytes)}`));
  });

  it('rejects an edited payload carrying the original signature', async () => {
    const [header, payload, signature] = split();
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const edited = b64url(JSON.stringify({ ...claims, username: 'admin', scope: 'admin' }));
    expectInvalidToken(await target.bearer(`${header}.${edited}.${signature}`));
  });
});

// SECURITY.md, hostile-input catalogue 4.
describe('keys named by the token itself', () => {
  let attacker: TestIssuer;

  beforeAll(async () => {
    // The attacker's own server, publishing the attacker's key: it must never be asked.
    attacker = await new TestIssuer([generateTestKey()]).start();
  });
  afterAll(() => attacker?.stop());

  it.each([
    ['an embedded jwk header', () => ({ jwk: attacker.key.publicJwk })],
    ['a jku header', () => ({ jku: attacker.jwksUrl })],
    ['an x5u header', () => ({ x5u: `${attacker.url}/cert.pem` })],
    ['an x5c header', () => ({ x5c: [b64url('not a certificate')] })],
  ])(
    'rejects a token signed by the attacker with %s, and fetches nothing',
    async (_name, extra) => {
      const token = attacker.mint({ header: { ...extra(), kid: attacker.key.kid } });
      expectInvalidToken(await target.bearer(token));
      expect(attacker.requests).toEqual([]);
    },
  );

  it('rejects a token signed by the real key once it carries a jku or x5u, and fetches nothing', async () => {
    for (const header of [{ jku: attacker.jwksUrl }, { x5u: `${attacker.url}/cert.pem` }]) {
      expectInvalidToken(await target.bearer(target.issuer.mint({ header })));
    }
    // Another request after them, so anything fetched in the background has had its chance.
    expect((await target.bearer(target.issuer.mint())).status).toBe(200);
    expect(attacker.requests).toEqual([]);
  });
});

// SECURITY.md, hostile-input catalogue 5.
describe('hostile kid values', () => {
  it('looks up a well-shaped unknown kid in the fetched set (the control: lookups are visible)', async () => {
    const before = target.issuer.jwksFetches;
    expectInvalidToken(await target.bearer(target.issuer.mint({ header: { kid: 'unknown-kid' } })));
    expect(target.issuer.jwksFetches).toBe(before + 1);
  });

  it.each([
    ['path traversal', '../../../../etc/passwd'],
    ['a Windows path', '..\\..\\windows\\win.ini'],
    ['SQL', "' OR '1'='1' --"],
    ['shell metacharacters', '$(curl 127.0.0.1/x); `id` | rm -rf / && echo'],
    ['a NUL byte', 'kid\u0000.pem'],
    ['a URL', 'http://127.0.0.1:1/key'],
    ['10 KB of characters', 'k'.repeat(10 * 1024)],
    ['a number instead of a string', 42],
    ['an object instead of a string', { $ne: null }],
  ])('answers a kid with %s at once with 401 and looks nothing up', async (_name, kid) => {
    const before = target.issuer.jwksFetches;
    const started = performance.now();
    const response = await target.bearer(target.issuer.mint({ header: { kid } }));
    const elapsed = performance.now() - started;
    expectInvalidToken(response);
    expect(elapsed).toBeLessThan(1000);
    expect(target.issuer.jwksFetches).toBe(before);
  });
});

// SECURITY.md, hostile-input catalogue 9.
describe('a crit header', () => {
  it.each([
    ['an unknown extension', { crit: ['urn:example:unknown'], 'urn:example:unknown': true }],
    ['b64 (RFC 7797), which is not supported', { crit: ['b64'], b64: false }],
    ['a registered claim name', { crit: ['exp'] }],
    ['an empty list', { crit: [] }],
  ])('rejects a token whose crit names %s', async (_name, header) => {
    expectInvalidToken(await target.bearer(target.issuer.mint({ header })));
  });
});
