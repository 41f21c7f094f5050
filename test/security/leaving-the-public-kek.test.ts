import { randomBytes, randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { parseKeyEncryptionKeys } from '@authpair/auth';
import { createLogger } from '@authpair/service-kit';
import { calculateJwkThumbprint } from 'jose';
import { Pool } from 'pg';
import { createAdmin, runAdmin } from '../support/admin';
import { composeDefaults } from '../support/compose-defaults';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { bearer, claimsOf, eventually, registerAndLogin, request } from '../support/http';
import { authEnvironment, startAuth, startResource } from '../support/services';
import { generateTestKey, TestIssuer, type TestKey } from '../support/test-issuer';

// While the compose file's public KEK is listed, anyone who can INSERT into
// signing_keys can seal a key of their own under it (its bytes are in this
// repository). The move off it must leave no such key behind: `keys rewrap`
// never carries a key sealed under a public KEK to another KEK, and the
// documented way off (README, "Key encryption") rotates those keys out.

const OWN_KEK = `own:${randomBytes(32).toString('base64')}`;
const PUBLIC_KEK = composeDefaults('auth').KEY_ENCRYPTION_KEYS as string;
const BOTH = `${OWN_KEK},${PUBLIC_KEK}`;

let db: TestDatabase;
let pool: Pool;
/** The attacker's key: they keep their copy of the private key. */
let planted: TestKey;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = new Pool({ connectionString: db.url });
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

const kidOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()).kid as string;

async function attackerKey(): Promise<TestKey> {
  const key = generateTestKey();
  const { n, e } = key.publicJwk as { n: string; e: string };
  const kid = await calculateJwkThumbprint({ kty: 'RSA', n, e });
  return { ...key, kid, publicJwk: { kty: 'RSA', kid, alg: 'RS256', use: 'sig', n, e } };
}

/** What anyone holding the repository and INSERT on signing_keys can do while the public KEK is listed. */
async function plantUnderPublicKek(key: TestKey): Promise<void> {
  const keks = parseKeyEncryptionKeys(PUBLIC_KEK);
  if (Array.isArray(keks)) throw new Error(keks.join('; '));
  const sealed = keks.seal(key.kid, key.privateKey.export({ format: 'der', type: 'pkcs8' }));
  await pool.query(
    `INSERT INTO signing_keys (kid, state, public_jwk, private_key_ciphertext, private_key_iv,
                               private_key_tag, kek_id, retiring_at, remove_at)
     VALUES ($1, 'retiring', $2, $3, $4, $5, $6, now(), now() + interval '10 years')`,
    [
      key.kid,
      JSON.stringify(key.publicJwk),
      sealed.ciphertext,
      sealed.iv,
      sealed.tag,
      sealed.kekId,
    ],
  );
}

const admin = (argv: string[]) =>
  runAdmin([...argv, '--json'], authEnvironment(db.url, { KEY_ENCRYPTION_KEYS: BOTH }));

describe('leaving the public compose KEK', () => {
  it('keys rewrap carries no key sealed under it: it names each one, says what to do, and fails', async () => {
    const first = await startAuth(db.url, { KEY_ENCRYPTION_KEYS: PUBLIC_KEK });
    const genuine = first.keys.view().activeKid as string;
    await first.stop(1000);
    planted = await attackerKey();
    await plantUnderPublicKek(planted);

    const text = await runAdmin(
      ['keys', 'rewrap'],
      authEnvironment(db.url, { KEY_ENCRYPTION_KEYS: BOTH }),
    );
    expect(text.code).toBe(1);
    expect(`${text.stdout}${text.stderr}`).toContain(planted.kid);
    expect(`${text.stdout}${text.stderr}`).toContain('keys rotate');
    expect(`${text.stdout}${text.stderr}`).toContain('keys retire');

    const json = await admin(['keys', 'rewrap']);
    expect(json.code).toBe(1);
    expect(json.json.error).toMatchObject({
      kek_id: 'own',
      rewrapped: [],
      under_public_kek: expect.arrayContaining([
        { kid: genuine, state: 'active', kek_id: 'local-only' },
        { kid: planted.kid, state: 'retiring', kek_id: 'local-only' },
      ]),
    });
    // Neither row was touched: both are still sealed under the public KEK only.
    const { rows } = await pool.query('SELECT kid, kek_id FROM signing_keys ORDER BY kid');
    expect(rows.map((row) => row.kek_id)).toEqual(['local-only', 'local-only']);
  });

  it('keeps signing with the key sealed under it until the own KEK key activates, so the move fails no login, and names the keys to rotate out', async () => {
    // Why auth does not refuse, at start, every key sealed under the public KEK once another
    // KEK is first: the active key is one of them, and there would be nothing to sign with.
    const lines: string[] = [];
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n')));
    const during = await startAuth(
      db.url,
      { KEY_ENCRYPTION_KEYS: BOTH, NODE_ENV: 'production', ALLOW_PUBLIC_SECRETS: 'true' },
      createLogger({ service: 'auth', level: 'warn', destination }),
    );
    try {
      const { rows } = await pool.query(`SELECT kid FROM signing_keys WHERE state = 'active'`);
      const { token } = await registerAndLogin(during.url);
      expect(kidOf(token)).toBe(rows[0].kid);
      // It says which keys must be rotated out, and how.
      const warning = lines.find((line) =>
        line.includes('sealed under a public key-encryption key'),
      );
      expect(warning).toContain(planted.kid);
      expect(warning).toContain('keys rotate');
    } finally {
      await during.stop(1000);
    }
  });

  it('the documented way off (rotate, activate, retire, rewrap, drop it) leaves no planted key trusted', async () => {
    const rotate = await admin(['keys', 'rotate']);
    expect(rotate.code).toBe(0);
    const fresh = rotate.json.pending.kid as string;
    // The operator waits for the scheduler to activate it; the test does not wait.
    expect((await admin(['keys', 'activate', fresh, '--force'])).code).toBe(0);
    const listed = (await admin(['keys', 'rewrap'])).json.error.under_public_kek as Array<{
      kid: string;
    }>;
    expect(listed.map(({ kid }) => kid)).toContain(planted.kid);
    for (const { kid } of listed)
      expect((await admin(['keys', 'retire', kid, '--force'])).code).toBe(0);
    const done = await admin(['keys', 'rewrap']);
    expect(done.code).toBe(0);
    expect(done.json).toEqual({ kek_id: 'own', rewrapped: [], under_public_kek: [] });

    const auth = await startAuth(db.url, { KEY_ENCRYPTION_KEYS: OWN_KEK });
    const resource = await startResource(auth.url);
    try {
      await eventually(
        async () => (await request(`${resource.url}/readyz`)).status,
        (status) => status === 200,
        { what: 'the resource service is ready' },
      );
      const operator = await createAdmin(db.url, auth.url);
      expect(kidOf(operator.token)).toBe(fresh);
      const jwks = await request(`${auth.url}/.well-known/jwks.json`);
      expect(jwks.body.keys.map((key: { kid: string }) => key.kid)).toEqual([fresh]);
      const forged = new TestIssuer([planted]).mint({
        claims: { ...claimsOf(operator.token), jti: randomUUID(), scope: 'profile admin' },
      });
      expect(
        (await request(`${resource.url}/admin/reports`, { headers: bearer(forged) })).status,
      ).toBe(401);
    } finally {
      await resource.stop(1000);
      await auth.stop(1000);
    }
  });
});
