import { Pool } from 'pg';
import { inTransaction } from '../../services/auth/src/db/pool';
import { createTestDatabase, type TestDatabase } from '../support/database';

let db: TestDatabase;
let pool: Pool;
let admin: Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => {}); // idle clients dropped by the kill below
  admin = new Pool({ connectionString: db.url, max: 1 });
});
afterAll(async () => {
  await Promise.all([pool?.end(), admin?.end()]);
  await db?.drop();
});

describe('inTransaction', () => {
  it('survives its connection being killed between two statements: the work fails, the process stays up', async () => {
    let killed = false;
    const outcome = inTransaction(pool, async (client) => {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // The client learns of it with no query in flight: an 'error' event, then 'end'.
      const ended = new Promise((resolve) => client.once('end', resolve));
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      await ended;
      killed = true;
      await client.query('SELECT 1');
    });
    await expect(outcome).rejects.toThrow();
    expect(killed).toBe(true);
    // The pool hands out a working connection afterwards.
    expect((await pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });
});
