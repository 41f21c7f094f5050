import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, readMigrations } from '@authpair/auth';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startAuth, testLogger } from '../support/services';

const logger = testLogger('migrations');
const databases: TestDatabase[] = [];
const pools: Pool[] = [];

async function freshPool(): Promise<Pool> {
  const db = await createTestDatabase();
  databases.push(db);
  const pool = new Pool({ connectionString: db.url, max: 4 });
  pools.push(pool);
  return pool;
}

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await Promise.all(databases.map((db) => db.drop()));
});

describe('migrations', () => {
  it('apply every file once, in order, and nothing on a second run', async () => {
    const pool = await freshPool();
    const names = (await readMigrations()).map((migration) => migration.name);
    expect(await migrate(pool, logger)).toEqual(names);
    expect(await migrate(pool, logger)).toEqual([]);
    const { rows } = await pool.query('SELECT name FROM schema_migrations ORDER BY version');
    expect(rows.map((row) => row.name)).toEqual(names);
  });

  it('are safe when several processes start at once', async () => {
    const pool = await freshPool();
    const runs = await Promise.all(Array.from({ length: 4 }, () => migrate(pool, logger)));
    const names = (await readMigrations()).map((migration) => migration.name);
    expect(runs.flat().sort()).toEqual(names.sort());
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM schema_migrations');
    expect(rows[0].n).toBe(names.length);
  });

  it('refuse to start when an applied migration was edited', async () => {
    const pool = await freshPool();
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    await writeFile(join(dir, '0001_t.sql'), 'CREATE TABLE t (id int);');
    await migrate(pool, logger, dir);
    await writeFile(join(dir, '0001_t.sql'), 'CREATE TABLE t (id bigint);');
    await expect(migrate(pool, logger, dir)).rejects.toThrow(
      'migration 0001_t.sql was changed after it was applied',
    );
  });

  it('roll back a failing migration entirely', async () => {
    const pool = await freshPool();
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    await writeFile(join(dir, '0001_ok.sql'), 'CREATE TABLE ok (id int);');
    await writeFile(
      join(dir, '0002_bad.sql'),
      'CREATE TABLE half (id int); SELECT * FROM missing_table;',
    );
    await expect(migrate(pool, logger, dir)).rejects.toThrow('migration 0002_bad.sql failed');
    const { rows } = await pool.query(
      "SELECT to_regclass('half') AS half, to_regclass('ok') AS ok",
    );
    expect(rows[0]).toEqual({ half: null, ok: 'ok' });
  });
});

describe('signing key on first start', () => {
  it('is created once when two replicas start at the same time', async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const replicas = await Promise.all([startAuth(db.url), startAuth(db.url)]);
    try {
      const { rows } = await replicas[0].pool.query('SELECT kid, state FROM signing_keys');
      expect(rows).toHaveLength(1);
      expect(rows[0].state).toBe('active');
      const [a, b] = await Promise.all(
        replicas.map((replica) =>
          fetch(`${replica.url}/.well-known/jwks.json`).then((r) => r.json()),
        ),
      );
      expect(a).toEqual(b);
    } finally {
      await Promise.all(replicas.map((replica) => replica.stop(1000)));
    }
  });
});
