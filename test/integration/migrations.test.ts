import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, migrate, readMigrations } from '@authpair/auth';
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

describe('migrations and the request timeouts', () => {
  /** The service's own pool, its statement timeout far below what the migration takes. */
  async function servicePool(statementTimeoutMs: number): Promise<Pool> {
    const db = await createTestDatabase();
    databases.push(db);
    const pool = createPool(
      { url: db.url, poolMax: 2, connectTimeoutMs: 3000, statementTimeoutMs, startupTimeoutMs: 0 },
      logger,
    );
    pools.push(pool);
    return pool;
  }

  it('run longer than DB_STATEMENT_TIMEOUT_MS, and a replica waits behind another for as long', async () => {
    // 1.5 s: past the 200 ms statement timeout and the pool's 1.2 s client-side read timeout.
    const pool = await servicePool(200);
    const dir = await mkdtemp(join(tmpdir(), 'migrations-slow-'));
    await writeFile(
      join(dir, '0001_slow.sql'),
      'SELECT pg_sleep(1.5); CREATE TABLE slow (id int);',
    );
    const runs = await Promise.all([migrate(pool, logger, dir), migrate(pool, logger, dir)]);
    expect(runs.flat()).toEqual(['0001_slow.sql']);
    // Both sessions are back to the request bounds before they return to the pool.
    const clients = await Promise.all([pool.connect(), pool.connect()]);
    try {
      for (const client of clients) {
        const { rows } = await client.query(
          "SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock",
        );
        expect(rows[0]).toEqual({ statement: '200ms', lock: '0' });
      }
    } finally {
      for (const client of clients) client.release();
    }
  }, 20_000);

  it('apply a version numbered below one already applied (branches merge in any order)', async () => {
    const pool = await freshPool();
    const dir = await mkdtemp(join(tmpdir(), 'migrations-order-'));
    await writeFile(join(dir, '0001_a.sql'), 'CREATE TABLE a (id int);');
    await writeFile(join(dir, '0003_c.sql'), 'CREATE TABLE c (id int);');
    expect(await migrate(pool, logger, dir)).toEqual(['0001_a.sql', '0003_c.sql']);
    await writeFile(join(dir, '0002_b.sql'), 'CREATE TABLE b (id int);');
    expect(await migrate(pool, logger, dir)).toEqual(['0002_b.sql']);
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
