import { parseKeyEncryptionKeys, type RunningAuthService } from '@authpair/auth';
import { runAdmin } from '../support/admin';
import { composeDefaults } from '../support/compose-defaults';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { registerAndLogin } from '../support/http';
import { authEnvironment, startAuth, TEST_KEK } from '../support/services';

const databases: TestDatabase[] = [];
const running: RunningAuthService[] = [];

async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  databases.push(db);
  return db;
}

async function auth(db: TestDatabase, env: Record<string, string> = {}) {
  const service = await startAuth(db.url, env);
  running.push(service);
  return service;
}

afterAll(async () => {
  await Promise.all(running.map((service) => service.stop(1000)));
  await Promise.all(databases.map((db) => db.drop()));
});

const kidOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()).kid as string;

const OTHER_KEK = `kek2:${Buffer.alloc(32, 42).toString('base64')}`;

describe('the scheduler across replicas', () => {
  it('creates exactly one new key when two replicas find a rotation due at once', async () => {
    const db = await freshDatabase();
    // Long interval: the test drives the ticks itself, all at once.
    const env = { SIGNING_KEY_ROTATION_DAYS: '1', SIGNING_KEY_REFRESH_MS: '60000' };
    const replicas = [await auth(db, env), await auth(db, env)];
    await replicas[0]?.pool.query(
      `UPDATE signing_keys SET activated_at = now() - interval '25 hours' WHERE state = 'active'`,
    );

    const results = await Promise.all(
      replicas.flatMap((replica) => [
        replica.signingKeys.scheduler.tick(),
        replica.signingKeys.lifecycle.rotateIfDue(),
        replica.signingKeys.lifecycle.rotateIfDue(),
      ]),
    );

    const { rows } = await (replicas[0] as RunningAuthService).pool.query(
      'SELECT kid, state FROM signing_keys ORDER BY created_at',
    );
    expect(rows.map((row) => row.state)).toEqual(['active', 'pending']);
    const created = results.map((result) => (typeof result === 'object' ? result.created : result));
    expect(created.filter((kid) => kid !== undefined)).toEqual([rows[1].kid]);
    // Nothing more on later ticks: the rotation is under way.
    await Promise.all(replicas.map((replica) => replica.signingKeys.scheduler.tick()));
    const after = await (replicas[0] as RunningAuthService).pool.query(
      'SELECT count(*)::int AS n FROM signing_keys',
    );
    expect(after.rows[0].n).toBe(2);
  });
});

describe('manual steps with auth-admin', () => {
  let db: TestDatabase;
  let service: RunningAuthService;
  const admin = (...argv: string[]) => runAdmin(argv, authEnvironment(db.url));

  beforeAll(async () => {
    db = await freshDatabase();
    service = await auth(db);
  });

  it('lists the keys for people and for scripts', async () => {
    const text = await admin('keys', 'list');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^KID +STATE +KEK +CREATED +SIGNS FROM +STOPS SIGNING +LEAVES JWKS\n/,
    );
    expect(text.stdout).toContain('A pending key signs 11m 40s after it is published');
    expect(text.stdout).toContain('Automatic rotation every 90 days');
    const json = await admin('keys', 'list', '--json');
    expect(json.json).toEqual({
      now: expect.any(String),
      schedule: { pending_ms: 700_000, retiring_ms: 970_000, rotation_days: 90 },
      keys: [
        expect.objectContaining({
          kid: service.keys.view().activeKid,
          state: 'active',
          kek_id: 'test',
        }),
      ],
    });
  });

  it('refuses to retire the active key, or to start a second rotation', async () => {
    const activeKid = service.keys.view().activeKid as string;
    const retire = await admin('keys', 'retire', activeKid);
    expect(retire.code).toBe(1);
    expect(retire.stderr).toContain('is the active key and cannot be retired');

    const rotate = await admin('keys', 'rotate', '--json');
    expect(rotate.code).toBe(0);
    const again = await admin('keys', 'rotate');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`signing key ${rotate.json.pending.kid} is already pending`);
  });

  it('withdraws a pending key, which clears the active key’s planned retirement', async () => {
    const pending = (await admin('keys', 'list', '--json')).json.keys.find(
      (key: { state: string }) => key.state === 'pending',
    );
    const withdrawn = await admin('keys', 'retire', pending.kid.slice(0, 12), '--json');
    expect(withdrawn.code).toBe(0);
    expect(withdrawn.json).toMatchObject({
      changed: true,
      forced: false,
      key: { state: 'retired' },
    });
    const keys = (await admin('keys', 'list', '--json')).json.keys;
    expect(keys.find((key: { state: string }) => key.state === 'active')).toMatchObject({
      retire_at: null,
      remove_at: null,
    });
  });

  it('activates early only with --force, and refuses an early removal the same way', async () => {
    const oldKid = service.keys.view().activeKid as string;
    const { json } = await admin('keys', 'rotate', '--json');
    const newKid: string = json.pending.kid;

    const refused = await admin('keys', 'activate', newKid);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /refused: activating .* now could make verifiers refuse its tokens/,
    );
    expect(refused.stderr).toContain('(in 11m');

    const forced = await admin('keys', 'activate', newKid, '--force', '--json');
    expect(forced.code).toBe(0);
    expect(forced.json).toMatchObject({
      changed: true,
      forced: true,
      key: { kid: newKid, state: 'active' },
    });
    await service.keys.refresh();
    const { token } = await registerAndLogin(service.url);
    expect(kidOf(token)).toBe(newKid);

    const early = await admin('keys', 'retire', oldKid);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain(
      'would make verifiers refuse tokens it signed that are still valid',
    );
    const removed = await admin('keys', 'retire', oldKid, '--force');
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(`Retired ${oldKid} (forced`);
    expect((await admin('keys', 'retire', oldKid)).stdout).toContain('is already retired');
  });

  it('refuses an unknown or empty kid', async () => {
    expect((await admin('keys', 'activate', 'no-such-kid')).stderr).toContain(
      'no signing key has the kid no-such-kid',
    );
    const empty = await admin('keys', 'activate', '');
    expect(empty.code).toBe(1);
  });
});

describe('private keys at rest', () => {
  it('are sealed: the table, read directly, holds no usable private key', async () => {
    const db = await freshDatabase();
    const service = await auth(db);
    await runAdmin(['keys', 'rotate'], authEnvironment(db.url)); // a second row, for the swap below
    const { rows } = await service.pool.query(
      `SELECT kid, private_key_ciphertext, private_key_iv, private_key_tag, kek_id,
              row_to_json(k)::text AS dump
         FROM signing_keys k ORDER BY created_at`,
    );
    const keks = parseKeyEncryptionKeys(TEST_KEK);
    if (Array.isArray(keks)) throw new Error(keks.join());
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.kek_id).toBe('test');
      const sealed = {
        ciphertext: row.private_key_ciphertext,
        iv: row.private_key_iv,
        tag: row.private_key_tag,
        kekId: row.kek_id,
      };
      const der: Buffer = keks.open(row.kid, sealed);
      for (const leak of [der.toString('base64'), der.toString('hex'), 'PRIVATE KEY'])
        expect(row.dump).not.toContain(leak);
      expect(row.dump.includes(der.subarray(0, 64).toString('hex'))).toBe(false);
    }
    // The kid is authenticated: row A's ciphertext on row B does not open.
    const [a, b] = rows;
    expect(() =>
      keks.open(b.kid, {
        ciphertext: a.private_key_ciphertext,
        iv: a.private_key_iv,
        tag: a.private_key_tag,
        kekId: 'test',
      }),
    ).toThrow(/does not open/);
  });
});

describe('rotating the key-encryption key', () => {
  it('re-wraps every key under the new KEK, after which the old one can go', async () => {
    const db = await freshDatabase();
    const first = await auth(db);
    const activeKid = first.keys.view().activeKid;
    await first.stop(1000);

    const both = { KEY_ENCRYPTION_KEYS: `${OTHER_KEK},${TEST_KEK}` };
    const rewrap = await runAdmin(['keys', 'rewrap', '--json'], authEnvironment(db.url, both));
    expect(rewrap.code).toBe(0);
    expect(rewrap.json).toEqual({ kek_id: 'kek2', rewrapped: [activeKid], exposed: [] });
    expect(
      (await runAdmin(['keys', 'rewrap', '--json'], authEnvironment(db.url, both))).json.rewrapped,
    ).toEqual([]);

    // Only the new KEK: the service starts and signs.
    const service = await auth(db, { KEY_ENCRYPTION_KEYS: OTHER_KEK });
    const { token } = await registerAndLogin(service.url);
    expect(kidOf(token)).toBe(activeKid);
    // Only the old KEK: it refuses to start, naming the KEK it lacks.
    await expect(startAuth(db.url)).rejects.toThrow(
      `sealed with key-encryption key "kek2", which KEY_ENCRYPTION_KEYS does not list`,
    );
  });

  it('says which keys were sealed under the public compose KEK, and that they must be rotated out', async () => {
    const db = await freshDatabase();
    // Outside production the compose default is accepted (and flagged), as on a laptop.
    const { KEY_ENCRYPTION_KEYS: composeKek } = composeDefaults('auth');
    const first = await auth(db, { KEY_ENCRYPTION_KEYS: composeKek as string });
    const activeKid = first.keys.view().activeKid;
    await first.stop(1000);

    const own = { KEY_ENCRYPTION_KEYS: `${OTHER_KEK},${composeKek}` };
    const text = await runAdmin(['keys', 'rewrap'], authEnvironment(db.url, own));
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `WARNING: ${activeKid} was sealed under a key-encryption key published in this repository`,
    );
    expect(text.stdout).toContain('`keys rotate`');
    // Done once: nothing left under the public KEK.
    const again = await runAdmin(['keys', 'rewrap', '--json'], authEnvironment(db.url, own));
    expect(again.json).toEqual({ kek_id: 'kek2', rewrapped: [], exposed: [] });

    // Re-sealing alone changes nothing for whoever copied the database before: the same key.
    const second = await auth(db, { KEY_ENCRYPTION_KEYS: OTHER_KEK });
    expect(second.keys.view().activeKid).toBe(activeKid);
  });
});
