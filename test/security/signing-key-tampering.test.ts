import { randomBytes, randomUUID } from 'node:crypto';
import { parseKeyEncryptionKeys } from '@authpair/auth';
import { calculateJwkThumbprint } from 'jose';
import { createAdmin, runAdmin } from '../support/admin';
import { bearer, claimsOf, registerAndLogin, request } from '../support/http';
import { expectInvalidToken } from '../support/problems';
import { authEnvironment, type RunningPair, TEST_KEK, useServices } from '../support/services';
import { generateTestKey, TestIssuer, type TestKey } from '../support/test-issuer';

// Write access to the database without the key-encryption key (SQL
// injection elsewhere, a leaked role, a tampered restore) must not let
// anyone make the resource service accept a token. Encryption at rest keeps
// the private keys secret; this keeps the public ones honest: a row of
// signing_keys is published or signs only when its kid is the RFC 7638
// thumbprint of its public key, and its sealed private key opens (the kid
// is the additional data) and is the private half of that public key.

const services = useServices({ auth: false });
let pair: RunningPair;

beforeAll(async () => {
  // No cooldown: a token with an unknown kid makes the resource refetch the JWKS at once.
  pair = await services.startPair({ resource: { JWKS_COOLDOWN_MS: '0' } });
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

describe('what write access to signing_keys can try once the plaintext column is gone', () => {
  /** An admin's `sub` and live `sid`, as an attacker would copy them into a forged token. */
  let adminClaims: Record<string, unknown>;

  beforeAll(async () => {
    const admin = await createAdmin(services.db.url, pair.auth.url);
    adminClaims = claimsOf(admin.token);
  });

  /** A token signed by `key` that carries the admin's identity, and what each service answers it. */
  async function presentForged(key: TestKey) {
    const forged = new TestIssuer([key]).mint({
      claims: { ...adminClaims, jti: randomUUID(), scope: 'profile admin' },
    });
    const [resource, auth] = await Promise.all([
      request(`${pair.resource.url}/admin/reports`, { headers: bearer(forged) }),
      request(`${pair.auth.url}/admin/users`, { headers: bearer(forged) }),
    ]);
    return { resource: resource.status, auth: auth.status };
  }

  const publishedKids = async () =>
    (await request(`${pair.auth.url}/.well-known/jwks.json`)).body.keys.map(
      (key: { kid: string }) => key.kid,
    );

  const randomSealed = (kekId: string): Sealed => ({
    ciphertext: randomBytes(1200),
    iv: randomBytes(12),
    tag: randomBytes(16),
    kekId,
  });

  /** Rows planted by the first test, flipped to active by the last. */
  let unknownKek: TestKey;

  it('refuses a public key alone, an unknown KEK, a private key in the public JWK, and an edited public key', async () => {
    const { auth } = pair;
    // A key with no private half: the schema refuses it...
    const publicOnly = await attackerKey();
    const insertPublicOnly = () =>
      auth.pool.query(
        `INSERT INTO signing_keys (kid, state, public_jwk, retiring_at, remove_at)
         VALUES ($1, 'retiring', $2, now(), now() + interval '10 years')`,
        [publicOnly.kid, JSON.stringify(publicOnly.publicJwk)],
      );
    await expect(insertPublicOnly()).rejects.toMatchObject({ code: '23514' }); // check_violation
    // ...but the service's role owns its tables, and so does whoever has its credentials.
    await auth.pool.query(
      'ALTER TABLE signing_keys DROP CONSTRAINT signing_keys_sealed_unless_retired',
    );
    await insertPublicOnly();
    // Sealed under a KEK the service does not have.
    unknownKek = await attackerKey();
    await insertRow(unknownKek, 'retiring', randomSealed('attacker'));
    // The whole private key in the public JWK (d, p, q, dp, dq, qi), named by its thumbprint.
    const privateInPublic = await attackerKey();
    const privateJwk = privateInPublic.privateKey.export({ format: 'jwk' }) as Record<
      string,
      string
    >;
    await insertRow(privateInPublic, 'retiring', randomSealed('test'));
    await auth.pool.query('UPDATE signing_keys SET public_jwk = $2 WHERE kid = $1', [
      privateInPublic.kid,
      JSON.stringify({ ...privateJwk, kid: privateInPublic.kid, alg: 'RS256', use: 'sig' }),
    ]);
    // A genuine key, sealed by the service and retiring now, whose public key is swapped for the attacker's.
    await auth.pool.query(`DELETE FROM signing_keys WHERE state = 'pending'`);
    const genuine = auth.keys.view().activeKid as string;
    const { pending } = await auth.signingKeys.lifecycle.rotate();
    await auth.signingKeys.lifecycle.activate(pending.kid, { force: true });
    const swapped = { ...(await attackerKey()), kid: genuine };
    await auth.pool.query('UPDATE signing_keys SET public_jwk = $2 WHERE kid = $1', [
      genuine,
      JSON.stringify({ ...swapped.publicJwk, kid: genuine }),
    ]);

    // The scheduler's locked steps run over them too, then the ring rereads.
    await auth.signingKeys.scheduler.tick();
    await auth.keys.refresh();

    const rejected = auth.keys.view().rejected.map((row) => row.kid);
    const published = await publishedKids();
    for (const key of [publicOnly, unknownKek, privateInPublic, swapped]) {
      expect(rejected).toContain(key.kid);
      expect(published).not.toContain(key.kid);
    }
    expect(published).toContain(pending.kid);
    const jwks = await request(`${auth.url}/.well-known/jwks.json`);
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
      expect(jwks.text).not.toContain(privateJwk[member]);
    for (const key of [publicOnly, unknownKek, privateInPublic, swapped])
      expect(await presentForged(key)).toEqual({ resource: 401, auth: 401 });
    // The genuine active key keeps signing.
    const { token } = await registerAndLogin(auth.url);
    expect(JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()).kid).toBe(
      pending.kid,
    );
  });

  it('auth-admin activates none of them, re-seals none of them, and lists them as refused', async () => {
    const env = authEnvironment(services.db.url);
    await pair.auth.pool.query(`DELETE FROM signing_keys WHERE state = 'pending'`);
    const planted = await attackerKey();
    await insertRow(planted, 'pending', randomSealed('test'));

    const activate = await runAdmin(['keys', 'activate', planted.kid, '--force'], env);
    expect(activate.code).toBe(1);
    expect(activate.stderr).toContain(`refused: signing key ${planted.kid} does not open`);

    // A new KEK in front: rewrap opens every row it re-seals, so a planted one stops it whole.
    const rotated = {
      KEY_ENCRYPTION_KEYS: `kek2:${randomBytes(32).toString('base64')},${TEST_KEK}`,
    };
    const rewrap = await runAdmin(['keys', 'rewrap'], authEnvironment(services.db.url, rotated));
    expect(rewrap.code).toBe(1);
    expect(rewrap.stderr).toMatch(/signing key \S+ (does not open|is sealed with)/);
    const { rows } = await pair.auth.pool.query(
      `SELECT kid FROM signing_keys WHERE kek_id = 'kek2'`,
    );
    expect(rows).toEqual([]);

    const list = await runAdmin(['keys', 'list', '--json'], env);
    expect(list.json.keys).toContainEqual(
      expect.objectContaining({
        kid: planted.kid,
        state: 'pending',
        refused: expect.stringContaining('does not open'),
      }),
    );
    const text = await runAdmin(['keys', 'list'], env);
    expect(text.stdout).toContain('REFUSED: ');
    expect(text.stdout).toContain(`signing key ${planted.kid} does not open`);
  });

  it('shows a kid written with terminal controls as text, not as a command to the terminal', async () => {
    const planted = await attackerKey();
    const kid = `${planted.kid}\u001b[2K\u001b[1A`; // erase this line, move up: a row that hides itself
    await insertRow({ ...planted, kid }, 'retiring', randomSealed('test'));

    const text = await runAdmin(['keys', 'list'], authEnvironment(services.db.url));

    expect(text.stdout).not.toContain('\u001b');
    expect(text.stdout).toContain(`${planted.kid}\\u{1b}[2K\\u{1b}[1A`);
  });

  it('a refused row flipped to active stops this replica signing, rather than sign', async () => {
    const { auth } = pair;
    await auth.keys.refresh(); // a fresh view: the flip below is what the next read finds
    await auth.pool.query(
      `UPDATE signing_keys SET state = 'retiring', retiring_at = now(), remove_at = now() + interval '1 hour'
        WHERE state = 'active'`,
    );
    await auth.pool.query(`UPDATE signing_keys SET state = 'active' WHERE kid = $1`, [
      unknownKek.kid,
    ]);

    await expect(auth.keys.refresh()).rejects.toThrow('which KEY_ENCRYPTION_KEYS does not list');

    const readiness = await request(`${auth.url}/readyz`);
    expect(readiness.status).toBe(503);
    expect(readiness.body.checks.signing_keys).toMatchObject({ status: 'down' });
    expect(await publishedKids()).not.toContain(unknownKek.kid);
    expect(await presentForged(unknownKek)).toEqual({ resource: 401, auth: 401 });
  });
});
