import type { Logger } from '@authpair/service-kit';
import { Pool, type PoolClient, type QueryConfig } from 'pg';

/** The pool's settings (config.ts fills them from DATABASE_URL and DB_*). */
export interface DatabaseSettings {
  readonly url: string;
  readonly poolMax: number;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  /** How long start-up keeps retrying an unreachable database before giving up. */
  readonly startupTimeoutMs: number;
}

/** Anything that runs a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<Pool, 'query'> | Pick<PoolClient, 'query'>;

/**
 * A query with its own client-side read timeout, replacing the pool's
 * (`DB_STATEMENT_TIMEOUT_MS` + 1 s): pg honours it, its types do not declare it.
 */
export interface QueryWithReadTimeout extends QueryConfig {
  query_timeout: number;
}

/**
 * A pool with every wait bounded, so a database that is down or stuck turns
 * into a fast 503 instead of requests piling up.
 */
export function createPool(config: DatabaseSettings, logger: Logger): Pool {
  const pool = new Pool({
    connectionString: config.url,
    max: config.poolMax,
    connectionTimeoutMillis: config.connectTimeoutMs,
    // Server-side bound on each statement, and a client-side one in case the server never answers.
    statement_timeout: config.statementTimeoutMs,
    query_timeout: config.statementTimeoutMs + 1000,
    idle_in_transaction_session_timeout: config.statementTimeoutMs * 2,
    application_name: 'authpair-auth',
    idleTimeoutMillis: 30_000,
  });
  // Without a listener, an idle client's error (the server restarting) would kill the process.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed'));
  return pool;
}

/** A client checked out of the pool, watched for a lost connection while it is out. */
export interface CheckedOutClient {
  readonly client: PoolClient;
  /**
   * Returns the client to the pool, or destroys it when its connection
   * failed while it was out or `broken` says it cannot be reused. Call once.
   */
  release(broken?: boolean): void;
}

/**
 * Checks a client out with an 'error' listener for as long as it is out.
 * pg-pool listens only to idle clients, and pg emits 'error' on a client
 * whose connection ends (a failover, pg_terminate_backend,
 * idle_in_transaction_session_timeout), also between two queries; an
 * 'error' event nobody listens to is an uncaught exception, and the
 * process dies. The query in flight rejects by itself and the next one is
 * refused, so the listener only remembers the loss: the client is then
 * destroyed on release instead of going back to the pool.
 */
export async function checkOut(pool: Pool): Promise<CheckedOutClient> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost ??= error;
  };
  client.on('error', onError);
  return {
    client,
    release(broken = false) {
      client.removeListener('error', onError);
      client.release(lost ?? broken);
    },
  };
}

/**
 * Runs `work` in a transaction on one client: COMMIT when it resolves,
 * ROLLBACK when it throws, so a multi-step write is all or nothing.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const { client, release } = await checkOut(pool);
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true; // the connection itself is gone; do not return it to the pool
    }
    throw error;
  } finally {
    release(broken);
  }
}

/** Resolves once the database answers, retrying with backoff until the deadline. */
export async function waitForDatabase(
  pool: Pool,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await pool.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      const delay = Math.min(2000, 100 * 2 ** attempt);
      logger.warn({ err: error, attempt, retry_in_ms: delay }, 'database not reachable yet');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
