import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../packages/local-stack/src/embedded-postgres';
import { freePort } from '../support/ports';
import type { StatementCost } from './report';

/**
 * The bench's PostgreSQL: the embedded server `npm start` runs (the same
 * binaries), in a scratch folder, with pg_stat_statements loaded so the
 * harness can count what each login, refresh and feed poll costs the
 * database rather than guess it from the code.
 */
export interface BenchPostgres {
  url: string;
  /** One statement on a connection of its own. */
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Forgets every statement counted so far. */
  resetStatements(): Promise<void>;
  /** Every statement counted since the last reset, in this database. */
  statements(): Promise<StatementRow[]>;
  stop(): Promise<void>;
}

export interface StatementRow {
  queryid: string;
  query: string;
  calls: number;
  rows: number;
  totalMs: number;
  walBytes: number;
}

export async function startBenchPostgres(): Promise<BenchPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'authpair-bench-pg-'));
  // mkdtemp makes the folder 0700; under root PostgreSQL runs as its own user, which
  // must create the data folder in it (a scratch folder, like /tmp itself: 1777).
  await chmod(dir, 0o1777);
  const server = await startEmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port: await freePort(),
    persistent: false,
    postgresFlags: [
      '-c',
      'shared_preload_libraries=pg_stat_statements',
      '-c',
      'pg_stat_statements.track=top',
      '-c',
      'pg_stat_statements.max=5000',
    ],
  });
  const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const client = new Client({ connectionString: server.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  };
  await query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  return {
    url: server.url,
    query,
    resetStatements: async () => {
      await query('SELECT pg_stat_statements_reset()');
    },
    statements: async () =>
      (
        await query<{
          queryid: string;
          query: string;
          calls: string;
          rows: string;
          total_exec_time: number;
          wal_bytes: string;
        }>(
          `SELECT s.queryid::text, s.query, s.calls, s.rows, s.total_exec_time, s.wal_bytes::text
             FROM pg_stat_statements s
             JOIN pg_database d ON d.oid = s.dbid
            WHERE d.datname = current_database()
              AND s.query NOT LIKE '%pg_stat_statements%'`,
        )
      ).map((row) => ({
        queryid: row.queryid,
        query: row.query,
        calls: Number(row.calls),
        rows: Number(row.rows),
        totalMs: row.total_exec_time,
        walBytes: Number(row.wal_bytes),
      })),
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A statement as the tables show it: whitespace folded, the first 90 characters. */
export function shortStatement(query: string): string {
  const folded = query.replace(/\s+/g, ' ').trim();
  return folded.length > 90 ? `${folded.slice(0, 87)}...` : folded;
}

/** Whether a statement writes rows: INSERT, UPDATE or DELETE, also inside a WITH. */
export function writes(query: string): boolean {
  return /\b(INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b/i.test(query);
}

/** Statements that run whatever the load (key refresh, the resource's feed reads). */
const BACKGROUND = [/signing_keys/i, /pg_snapshot_xmin|pg_current_snapshot/i, /^SET /i, /^SHOW /i];

/**
 * Resolves once the database has done nothing but its background work for
 * `quietSeconds`: after a flood, the service still answers what was queued
 * (logins waiting for a hash run long after their clients left).
 */
export async function settled(
  postgres: BenchPostgres,
  quietSeconds = 3,
  timeoutSeconds = 300,
): Promise<void> {
  const busy = async () =>
    (await postgres.statements())
      .filter((row) => !BACKGROUND.some((re) => re.test(row.query)))
      .reduce((sum, row) => sum + row.calls, 0);
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last = await busy();
  let quiet = 0;
  while (quiet < quietSeconds && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = await busy();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
}

/** Per-operation costs of the statements counted over `operations` operations. */
export function perOperation(
  rows: StatementRow[],
  operations: number,
  include: (row: StatementRow) => boolean = (row) => !BACKGROUND.some((re) => re.test(row.query)),
): StatementCost[] {
  return rows
    .filter(include)
    .map((row) => ({
      statement: shortStatement(row.query),
      callsPerOperation: row.calls / operations,
      rowsPerOperation: row.rows / operations,
      msPerOperation: row.totalMs / operations,
      walBytesPerOperation: row.walBytes / operations,
      writes: writes(row.query),
    }))
    .filter((cost) => cost.callsPerOperation >= 0.01)
    .sort(
      (a, b) => b.callsPerOperation - a.callsPerOperation || b.msPerOperation - a.msPerOperation,
    );
}
