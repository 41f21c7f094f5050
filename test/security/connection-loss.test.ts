import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database';

// Catalogue 26, one connection at a time: the backend of a client the auth
// service has checked out of its pool (a transaction holding the key lock,
// as each scheduler tick runs every SIGNING_KEY_REFRESH_MS; the migrator)
// is terminated, as a failover, pg_terminate_backend or
// idle_in_transaction_session_timeout does. pg emits 'error' on that
// client; with no listener, Node turns it into an uncaught exception and
// the process dies. The service runs in a child process here, so "the
// process stays up" is what is asserted: the work rejects, the pool still
// answers, and the process exits 0.

const CHILD = join(__dirname, '../support/lost-connection-child.ts');

let db: TestDatabase;
let admin: Client;

beforeAll(async () => {
  db = await createTestDatabase();
  admin = new Client({ connectionString: db.url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await db?.drop();
});

interface Run {
  child: ChildProcess;
  events: Array<{ event: string; [key: string]: unknown }>;
  stderr: string;
  exited: Promise<number | null>;
}

function runChild(...args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, db.url, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = {
    child,
    events: [],
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line !== '') run.events.push(JSON.parse(line));
  });
  child.stderr?.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
  return run;
}

/** Terminates the backends `where` selects in this test's database; resolves how many. */
async function terminateWhen(where: string, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity a
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND ${where}`,
    );
    if (rows.length > 0) {
      for (const { pid } of rows) await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      return rows.length;
    }
    if (Date.now() > deadline) throw new Error(`no backend matched ${where}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function finished(run: Run) {
  const code = await run.exited;
  return { code, events: run.events.map(({ event }) => event), stderr: run.stderr };
}

// SECURITY.md, hostile-input catalogue 26.
describe('a checked-out connection is terminated', () => {
  it('inside a transaction holding the key lock: the transaction fails, the process stays up', async () => {
    const run = runChild('transaction');
    const killed = await terminateWhen(
      `pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)`,
    );
    expect(killed).toBe(1);
    const { code, events, stderr } = await finished(run);
    expect({ code, events, stderr }).toEqual({
      code: 0,
      events: ['waiting', 'rejected', 'pool answers'],
      stderr: '',
    });
    expect(run.events[1]?.message).toMatch(/terminat|connection/i);
  }, 30_000);

  it('while a migration runs: the migration fails, the process stays up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrations-lost-'));
    await writeFile(join(dir, '0001_slow.sql'), 'SELECT pg_sleep(30);');
    const run = runChild('migration', dir);
    expect(await terminateWhen(`query LIKE '%pg_sleep(30)%'`)).toBe(1);
    const { code, events, stderr } = await finished(run);
    expect({ code, events, stderr }).toEqual({
      code: 0,
      events: ['waiting', 'rejected', 'pool answers'],
      stderr: '',
    });
    // The migration's error carries the server's words: what an operator reads.
    expect(run.events[1]?.message).toBe(
      'migration 0001_slow.sql failed: terminating connection due to administrator command',
    );
    const applied = await admin.query('SELECT version FROM schema_migrations');
    expect(applied.rows).toEqual([]);
  }, 30_000);
});
