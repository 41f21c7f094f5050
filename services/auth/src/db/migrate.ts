import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '@authpair/service-kit';
import type { Pool, PoolClient } from 'pg';
import { checkOut, type QueryWithReadTimeout } from './pool';

/** The folder of plain SQL migrations shipped with the service. */
export const MIGRATIONS_DIR = resolve(__dirname, '../../migrations');

/** Held for the whole run, so replicas starting together apply each migration once. */
const MIGRATION_LOCK = 'authpair:migrations';
/**
 * How long one migration statement may queue for a table lock. DDL waiting
 * behind a long transaction makes every query on that table queue behind
 * it, so it gives up instead (the start fails and is retried) rather than
 * stall traffic.
 */
const MIGRATION_LOCK_TIMEOUT = '5s';
/**
 * pg's client-side read timeout for one query; pg reads 0 as "the pool's",
 * so "none" is setTimeout's ceiling (about 24.8 days).
 */
const NO_READ_TIMEOUT = 2 ** 31 - 1;

/** `text` with no client-side read timeout, for waits and migrations that take what they take. */
const unbounded = (text: string, values: unknown[] = []): QueryWithReadTimeout => ({
  text,
  values,
  query_timeout: NO_READ_TIMEOUT,
});
const FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((name) => FILE_NAME.test(name)).sort();
  const migrations: Migration[] = [];
  for (const name of names) {
    const sql = await readFile(join(dir, name), 'utf8');
    const version = (FILE_NAME.exec(name) as RegExpExecArray)[1] as string;
    if (migrations.some((migration) => migration.version === version))
      throw new Error(`two migrations share version ${version}`);
    migrations.push({
      version,
      name,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  return migrations;
}

/**
 * Applies pending migrations in order, each in its own transaction, under a
 * session advisory lock. A migration already applied whose file has changed
 * stops the start: schema history is append-only. A pending version below
 * one already applied is applied too: migration numbers are reserved per
 * branch, and branches merge in any order.
 *
 * The pool's statement and read timeouts bound requests, not this: a
 * replica waits behind another's migration as long as that takes, and a
 * migration (an index on a large table) may take longer than any request
 * should. The session lifts them while it migrates and restores them
 * before the client goes back to the pool.
 */
export async function migrate(
  pool: Pool,
  logger: Logger,
  dir: string = MIGRATIONS_DIR,
): Promise<string[]> {
  const migrations = await readMigrations(dir);
  const { client, release } = await checkOut(pool);
  let broken = false;
  try {
    await client.query('SET statement_timeout = 0');
    await client.query('SET lock_timeout = 0');
    await client.query(unbounded('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]));
    try {
      return await applyPending(client, migrations, logger);
    } finally {
      // Fails only when the session is gone, and the lock with it; keep the first error.
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]).catch(() => {
        broken = true;
      });
    }
  } finally {
    // Back to the values the pool connected with; a session that cannot be reset is not reused.
    await client.query('RESET statement_timeout; RESET lock_timeout').catch(() => {
      broken = true;
    });
    release(broken);
  }
}

/** Runs, under the lock, every migration not yet recorded; returns their names. */
async function applyPending(
  client: PoolClient,
  migrations: Migration[],
  logger: Logger,
): Promise<string[]> {
  await client.query(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version    text PRIMARY KEY,
      name       text NOT NULL,
      checksum   text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  const { rows } = await client.query<{ version: string; checksum: string }>(
    'SELECT version, checksum FROM schema_migrations',
  );
  const done = new Map(rows.map((row) => [row.version, row.checksum]));
  const latest = [...done.keys()].sort().at(-1) ?? '';
  const applied: string[] = [];
  for (const migration of migrations) {
    const checksum = done.get(migration.version);
    if (checksum !== undefined) {
      if (checksum !== migration.checksum)
        throw new Error(`migration ${migration.name} was changed after it was applied`);
      continue;
    }
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL lock_timeout = '${MIGRATION_LOCK_TIMEOUT}'`);
      await client.query(unbounded(migration.sql));
      await client.query(
        'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
        [migration.version, migration.name, migration.checksum],
      );
      await client.query('COMMIT');
    } catch (error) {
      // On a lost connection the server has rolled back already; report the migration's error.
      await client.query('ROLLBACK').catch(() => undefined);
      throw new Error(`migration ${migration.name} failed: ${whyItFailed(error)}`, {
        cause: error,
      });
    }
    applied.push(migration.name);
    const outOfOrder = migration.version < latest;
    logger.info({ migration: migration.name, out_of_order: outOfOrder }, 'migration applied');
  }
  return applied;
}

/**
 * The server's words for a failed migration, with its detail and hint: a
 * migration that refuses to run (see 0008) says there why and what to do,
 * and the operator reads this line, not the error's cause.
 */
function whyItFailed(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { detail, hint } = error as { detail?: unknown; hint?: unknown };
  return [error.message, detail, hint].filter((part) => typeof part === 'string').join(' ');
}
