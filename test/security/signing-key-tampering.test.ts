import { randomBytes } from 'node:crypto';
import { parseKeyEncryptionKeys } from '@authpair/auth';
import { calculateJwkThumbprint } from 'jose';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { registerAndLogin, request } from '../support/http';
import { expectInvalidToken } from '../support/problems';
import { type RunningPair, startPair, TEST_KEK } from '../support/services';
import { generateTestKey, TestIssuer, type TestKey } from '../support/test-issuer';

// Write access to the database without the key-encryption key (SQL
// injection elsewhere, a leaked role, a tampered restore) must not let
// anyone make the resource service accept a token. Encryption at rest keeps
// the private keys secret; this keeps the public ones honest: a row of
// signing_keys is published or signs only when its kid is the RFC 7638
// thumbprint of its public key, and its sealed private key opens (the kid
// is the additional data) and is the private half of that public key.

let db: TestDatabase;
let pair: RunningPair;

beforeAll(async () => {
  db = await createTestDatabase();
  // No cooldown: a token with an unknown kid makes the resource refetch the JWKS at once.
  pair = await startPair(db.url, { resource: { JWKS_COOLDOWN_MS: '0' } });
});
afterAll(async () => {
  await pair?.stop();
  await db?.drop();
});

/** A key pair of the attacker's, with the kid the published row will claim. */
async function attackerKey(kid?: string): Promise<TestKey> {
  const key = generateTestKey();
  const { n, e } = key.publicJwk as { n: string; e: string };
  const thumbprint = await calculateJwkThumbprint({ kty: 'RSA', n, e });
  return withKid(key, kid ?? thumbprint);
}

function withKid(key: TestKey, kid: string): TestKey {
  return { ...key, kid, publicJwk: { ...key.publicJwk, kid } };
}

interface Sealed {
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
  kekId: string;
}

async function insertRow(key: TestKey, state: 'pending' | 'retiring', sealed: Sealed) {
  const { kty, kid, alg, use, n, e } = key.publicJwk as Record<string, string>;
  await pair.auth.pool.query(
    `INSERT INTO signing_keys (kid, state, public_jwk, private_key_ciphertext, private_key_iv,
                               private_key_tag, kek_id, activate_at, retiring_at, remove_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now() + interval '1 hour', now(), now() + interval '1 hour')`,
    [
      key.kid,
      state,
      JSON.stringify({ kty, kid, alg, use, n, e }),
      sealed.ciphertext,
      sealed.iv,
      sealed.tag,
      sealed.kekId,
    ],
  );
}

const protectedWith = (token: string) =>
  request(`${pair.resource.url}/protected`, { headers: { authorization: `Bearer ${token}` } });

describe('signing_keys rows written without the key-encryption key', () => {
  it('are neither published nor trusted; the genuine key keeps signing', async () => {
    const { auth } = pair;
    const genuine = auth.keys.view().activeKid as string;
    const { rows } = await auth.pool.query(
      `SELECT private_key_ciphertext AS ciphertext, private_key_iv AS iv,
              private_key_tag AS tag, kek_id AS "kekId"
         FROM signing_keys WHERE kid = $1`,
      [genuine],
    );
    const genuineSealed = rows[0] as Sealed;
    const kek = parseKeyEncryptionKeys(TEST_KEK);
    if (Array.isArray(kek)) throw new Error(kek.join());

    // 1. Its own key under its thumbprint, with the genuine key's ciphertext: does not open under this kid.
    const copied = await attackerKey();
    await insertRow(copied, 'retiring', genuineSealed);
    // 2. A kid that is not the thumbprint of the key it names.
    const misnamed = await attackerKey('rotation-2024');
    await insertRow(misnamed, 'retiring', {
      ciphertext: randomBytes(1200),
      iv: randomBytes(12),
      tag: randomBytes(16),
      kekId: 'test',
    });
    // 3. A private key that opens (sealed with the real KEK, as a botched restore could) but is another key's.
    const mismatched = await attackerKey();
    const other = generateTestKey().privateKey.export({ format: 'der', type: 'pkcs8' });
    await insertRow(mismatched, 'pending', kek.seal(mismatched.kid, other));

    await auth.keys.refresh();

    const jwks = await request(`${auth.url}/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys.map((key: { kid: string }) => key.kid)).toEqual([genuine]);
    const metrics = (await request(`${auth.url}/metrics`)).text;
    expect(metrics).toMatch(/^signing_keys_rejected(\{[^}]*\})? 3$/m);

    const readiness = await request(`${auth.url}/readyz`);
    expect(readiness.status).toBe(200);
    expect(readiness.body.checks.signing_keys).toMatchObject({
      status: 'degraded',
      active_kid: genuine,
      rejected: expect.arrayContaining([{ kid: copied.kid, state: 'retiring' }]),
    });
    expect(readiness.body.checks.signing_keys.rejected).toHaveLength(3);

    // Nor may the scheduler or an operator make one of them sign.
    await expect(
      auth.signingKeys.lifecycle.activate(mismatched.kid, { force: true }),
    ).rejects.toThrow('is not the private half of its public key');

    for (const key of [copied, misnamed, mismatched])
      expectInvalidToken(await protectedWith(new TestIssuer([key]).mint()));
    const { token } = await registerAndLogin(auth.url);
    expect((await protectedWith(token)).status).toBe(200);
  });
});
