import type { Pool } from 'pg';
import { inTransaction, type Queryable } from '../db/pool';
import { createKeyQueries, type KeyQueries } from './key-queries';

/** Serialises every write to signing_keys: start-up, each replica's scheduler, auth-admin. */
const KEY_LOCK = 'authpair:signing-keys';

/** What runs under the key lock: the key queries, and the transaction for anything else (audit). */
export type KeyWork<T> = (keys: KeyQueries, db: Queryable) => Promise<T>;

/** Runs `work` in one transaction holding the key lock, waiting for it (manual steps, start-up). */
export function withKeyLock<T>(pool: Pool, work: KeyWork<T>): Promise<T> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [KEY_LOCK]);
    return work(createKeyQueries(client), client);
  });
}

/**
 * Runs `work` under the key lock if nobody holds it, else resolves
 * `undefined`: a scheduler tick skips a step another replica (or an
 * operator) is taking, rather than queueing behind it.
 */
export function withKeyLockIfFree<T>(pool: Pool, work: KeyWork<T>): Promise<T | undefined> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
      [KEY_LOCK],
    );
    return rows[0]?.locked === true ? work(createKeyQueries(client), client) : undefined;
  });
}
