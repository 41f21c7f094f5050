import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, readMigrations } from '@authpair/auth';
import { calculateJwkThumbprint } from 'jose';
import { Pool } from 'pg';
import { createAdmin } from '../support/admin';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { bearer, claimsOf, eventually, request } from '../support/http';
import { startAuth, startResource, testLogger } from '../support/services';
import { generateTestKey, TestIssuer, type TestKey } from '../support/test-issuer';

// The attack: write access to the database (an injected statement, a leaked
// role, a tampered restore) on the schema of the last release before the
// plaintext column went away (migrations 0001-0007). The attacker plants
// their own RSA key, named by its RFC 7638 thumbprint, in the legacy
// plaintext `private_key` column, as a retiring key that leaves the JWKS in
// ten years. The version that sealed such rows at start made it a trusted,
// published key: a token signed with it, with an admin's `sub` and live
// `sid`, got 200 at both services. The upgrade must refuse instead.

const SHIPPED = join(__dirname, '../../services/auth/migrations');
/** The last migration of the release that still had `signing_keys.private_key`. */
const LAST_WITH_PLAINTEXT = '0007';

/** The database the current describe block attacks (each has its own). */
let db: TestDatabase;
let pool: Pool;
const opened: Array<{ db: TestDatabase; pool: Pool }> = [];

async function freshDatabase(): Promise<void> {
  db = await createTestDatabase();
  pool = new Pool({ connectionString: db.url });
  opened.push({ db, pool });
}
afterAll(async () => {
  for (const { db, pool } of opened) {
    await pool.end();
    await db.drop();
  }
});

/** Brings a database to the schema of migrations 0001 through `last`, as that release left it. */
async function migrateUpTo(last: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `migrations-${last}-`));
  try {
    for (const name of await readdir(SHIPPED))
      if (name.endsWith('.sql') && name.slice(0, 4) <= last)
        await copyFile(join(SHIPPED, name), join(dir, name));
    await migrate(pool, testLogger('migrations'), dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The attacker's key, named as a genuine key is: the RFC 7638 thumbprint. */
async function attackerKey(): Promise<TestKey> {
  const key = generateTestKey();
  const { n, e } = key.publicJwk as { n: string; e: string };
  const kid = await calculateJwkThumbprint({ kty: 'RSA', n, e });
  return { ...key, kid, publicJwk: { kty: 'RSA', kid, alg: 'RS256', use: 'sig', n, e } };
}

/** The row exactly as the issue describes it: plaintext private key, retiring, removed in ten years. */
async function plant(key: TestKey): Promise<void> {
  await pool.query(
    `INSERT INTO signing_keys (kid, state, public_jwk, private_key, retiring_at, remove_at)
     VALUES ($1, 'retiring', $2, $3, now(), now() + interval '10 years')`,
    [
      key.kid,
      JSON.stringify(key.publicJwk),
      key.privateKey.export({ format: 'pem', type: 'pkcs8' }),
    ],
  );
}

/** The message of an error and of every cause under it: what an operator reads. */
function messages(error: unknown): string {
  const parts: string[] = [];
  for (let at: unknown = error; at instanceof Error; at = at.cause) parts.push(at.message);
  return parts.join(': ');
}

type Outcome =
  | { refused: string }
  | { started: true; published: boolean; resourceAdminReports: number; authAdminUsers: number };

/**
 * Starts the new version on the database and plays the attacker's part to
 * the end: if the services come up, an admin logs in, and the attacker
 * signs a token with the planted key carrying that admin's `sub` and live
 * `sid`, then presents it to both services.
 */
async function upgradeAndAttack(planted: TestKey): Promise<Outcome> {
  let auth: Awaited<ReturnType<typeof startAuth>>;
  try {
    auth = await startAuth(db.url);
  } catch (error) {
    return { refused: messages(error) };
  }
  const resource = await startResource(auth.url).catch(async (error: unknown) => {
    await auth.stop(1000);
    throw error;
  });
  try {
    // Its first reads of the JWKS and the feed may lag on a busy machine; until then tokens get 503.
    await eventually(
      async () => (await request(`${resource.url}/readyz`)).status,
      (status) => status === 200,
      {
        what: 'the resource service is ready',
      },
    );
    const admin = await createAdmin(db.url, auth.url);
    const forged = new TestIssuer([planted]).mint({
      claims: { ...claimsOf(admin.token), jti: randomUUID(), scope: 'profile admin' },
    });
    const jwks = await request(`${auth.url}/.well-known/jwks.json`);
    return {
      started: true,
      published: jwks.body.keys.some((key: { kid: string }) => key.kid === planted.kid),
      resourceAdminReports: (
        await request(`${resource.url}/admin/reports`, { headers: bearer(forged) })
      ).status,
      authAdminUsers: (await request(`${auth.url}/admin/users`, { headers: bearer(forged) }))
        .status,
    };
  } finally {
    await resource.stop(1000);
    await auth.stop(1000);
  }
}

describe('a private key planted in the database before the upgrade', () => {
  let planted: TestKey;
  beforeAll(freshDatabase);

  it('stops the upgrade: auth refuses to start and names the planted kid', async () => {
    await migrateUpTo(LAST_WITH_PLAINTEXT);
    planted = await attackerKey();
    await plant(planted);

    const outcome = await upgradeAndAttack(planted);

    expect(outcome).toEqual({ refused: expect.stringContaining(planted.kid) });
    expect((outcome as { refused: string }).refused).toContain('DELETE FROM signing_keys');
    // Nothing was sealed or published on the way: the row is as it was planted.
    const { rows } = await pool.query(
      `SELECT state, private_key IS NOT NULL AS plaintext FROM signing_keys WHERE kid = $1`,
      [planted.kid],
    );
    expect(rows).toEqual([{ state: 'retiring', plaintext: true }]);
  });

  it('once the row is deleted as the refusal says, starts without the column, and the planted key signs nothing', async () => {
    await pool.query('DELETE FROM signing_keys WHERE kid = $1', [planted.kid]);

    const outcome = await upgradeAndAttack(planted);

    expect(outcome).toEqual({
      started: true,
      published: false,
      resourceAdminReports: 401,
      authAdminUsers: 401,
    });
    await expect(
      pool.query(`UPDATE signing_keys SET private_key = 'x' WHERE false`),
    ).rejects.toMatchObject({ code: '42703' }); // undefined_column
  });
});

describe('a planted key whose refusing migration the attacker marks as applied', () => {
  beforeAll(freshDatabase);

  it('is skipped with the column left in place, and still never published nor trusted', async () => {
    await migrateUpTo(LAST_WITH_PLAINTEXT);
    const planted = await attackerKey();
    await plant(planted);
    // schema_migrations is the attacker's to write too, and the checksum is of a public file.
    const refusing = (await readMigrations()).find((migration) => migration.version === '0008');
    await pool.query(
      'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
      [refusing?.version, refusing?.name, refusing?.checksum],
    );

    const outcome = await upgradeAndAttack(planted);

    expect(outcome).toEqual({
      started: true,
      published: false,
      resourceAdminReports: 401,
      authAdminUsers: 401,
    });
    // Nothing read the column: the planted row is as it was, and refused.
    const { rows } = await pool.query(
      `SELECT state, private_key IS NOT NULL AS plaintext, private_key_ciphertext IS NULL AS unsealed
         FROM signing_keys WHERE kid = $1`,
      [planted.kid],
    );
    expect(rows).toEqual([{ state: 'retiring', plaintext: true, unsealed: true }]);
  });
});
