import type { RsaPublicJwk } from '@authpair/contracts';
import type { Queryable } from '../db/pool';
import type { SealedKey } from './key-encryption';

export type KeyState = 'pending' | 'active' | 'retiring' | 'retired';

/** A signing key's public half, state and schedule (never its private half). */
export interface StoredKey {
  kid: string;
  state: KeyState;
  publicJwk: RsaPublicJwk;
  /** The KEK that seals the private key; null once retired (the private key is erased). */
  kekId: string | null;
  createdAt: Date;
  /** Pending: when it may start signing. */
  activateAt: Date | null;
  activatedAt: Date | null;
  /** Active: when it is planned to stop signing (a pending successor's activate_at). */
  retireAt: Date | null;
  retiringAt: Date | null;
  /** Retiring: when it may leave the JWKS. */
  removeAt: Date | null;
  retiredAt: Date | null;
}

/** A published key with its sealed private half, as the key ring loads it. */
export interface PublishedKey extends StoredKey {
  sealed: SealedKey | null;
}

interface KeyRow {
  kid: string;
  state: KeyState;
  public_jwk: RsaPublicJwk;
  kek_id: string | null;
  created_at: Date;
  activate_at: Date | null;
  activated_at: Date | null;
  retire_at: Date | null;
  retiring_at: Date | null;
  remove_at: Date | null;
  retired_at: Date | null;
}

interface SealedRow extends KeyRow {
  private_key_ciphertext: Buffer | null;
  private_key_iv: Buffer | null;
  private_key_tag: Buffer | null;
}

const COLUMNS = `kid, state, public_jwk, kek_id, created_at, activate_at, activated_at,
  retire_at, retiring_at, remove_at, retired_at`;
const SEALED_COLUMNS = `${COLUMNS}, private_key_ciphertext, private_key_iv, private_key_tag`;

/** `now() + <ms>` in SQL; every schedule uses the database's clock, shared by all replicas. */
const nowPlus = (param: string) => `now() + make_interval(secs => ${param}::float8 / 1000)`;

const toKey = (row: KeyRow): StoredKey => ({
  kid: row.kid,
  state: row.state,
  publicJwk: row.public_jwk,
  kekId: row.kek_id,
  createdAt: row.created_at,
  activateAt: row.activate_at,
  activatedAt: row.activated_at,
  retireAt: row.retire_at,
  retiringAt: row.retiring_at,
  removeAt: row.remove_at,
  retiredAt: row.retired_at,
});

const toSealed = (row: SealedRow): SealedKey | null =>
  row.private_key_ciphertext && row.private_key_iv && row.private_key_tag && row.kek_id
    ? {
        ciphertext: row.private_key_ciphertext,
        iv: row.private_key_iv,
        tag: row.private_key_tag,
        kekId: row.kek_id,
      }
    : null;

/** SQL for the signing_keys table. Writes are meant to run under the key lock (see key-lock.ts). */
export function createKeyQueries(db: Queryable) {
  return {
    /** The database's clock: the one every schedule is measured against. */
    async now(): Promise<Date> {
      const { rows } = await db.query<{ now: Date }>('SELECT now() AS now');
      return (rows[0] as { now: Date }).now;
    },

    /** Pending, active and retiring keys, newest first, with their sealed private halves. */
    async published(): Promise<PublishedKey[]> {
      const { rows } = await db.query<SealedRow>(
        `SELECT ${SEALED_COLUMNS} FROM signing_keys
          WHERE state IN ('pending', 'active', 'retiring')
          ORDER BY created_at DESC, kid`,
      );
      return rows.map((row) => ({ ...toKey(row), sealed: toSealed(row) }));
    },

    /** Every key, newest first. */
    async all(): Promise<StoredKey[]> {
      const { rows } = await db.query<KeyRow>(
        `SELECT ${COLUMNS} FROM signing_keys ORDER BY created_at DESC, kid`,
      );
      return rows.map(toKey);
    },

    /**
     * Keys whose kid is `kid` or starts with it. Compared with left(), not
     * LIKE: `_`, a base64url character, is a LIKE wildcard.
     */
    async matching(kid: string): Promise<StoredKey[]> {
      const { rows } = await db.query<KeyRow>(
        `SELECT ${COLUMNS} FROM signing_keys WHERE left(kid, length($1)) = $1 ORDER BY kid`,
        [kid],
      );
      return rows.map(toKey);
    },

    /** Adds a key: active at once (first start), or pending until `activateAfterMs` from now. */
    async insert(key: {
      kid: string;
      state: 'active' | 'pending';
      publicJwk: RsaPublicJwk;
      sealed: SealedKey;
      activateAfterMs?: number;
    }): Promise<void> {
      await db.query(
        `INSERT INTO signing_keys (kid, state, public_jwk, private_key_ciphertext, private_key_iv,
                                   private_key_tag, kek_id, activate_at, activated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7,
                 CASE WHEN $2 = 'pending' THEN ${nowPlus('$8')} ELSE now() END,
                 CASE WHEN $2 = 'active' THEN now() END)`,
        [
          key.kid,
          key.state,
          JSON.stringify(key.publicJwk),
          key.sealed.ciphertext,
          key.sealed.iv,
          key.sealed.tag,
          key.sealed.kekId,
          key.activateAfterMs ?? 0,
        ],
      );
    },

    /** Records when the active key is planned to stop signing and leave the JWKS. */
    async planRetirement(retireAt: Date | null, removeAt: Date | null): Promise<void> {
      await db.query(
        `UPDATE signing_keys SET retire_at = $1, remove_at = $2 WHERE state = 'active'`,
        [retireAt, removeAt],
      );
    },

    /**
     * Makes `kid` the signing key; the previous active key starts retiring
     * and leaves the JWKS `retiringMs` from now. Demote first: the partial
     * unique index allows one active key at any moment of the statement list.
     */
    async activate(kid: string, retiringMs: number): Promise<string | undefined> {
      const demoted = await db.query<{ kid: string }>(
        `UPDATE signing_keys
            SET state = 'retiring', retiring_at = now(), retire_at = now(), remove_at = ${nowPlus('$1')}
          WHERE state = 'active'
          RETURNING kid`,
        [retiringMs],
      );
      await db.query(
        `UPDATE signing_keys
            SET state = 'active', activated_at = now(), retire_at = NULL, remove_at = NULL
          WHERE kid = $1`,
        [kid],
      );
      return demoted.rows[0]?.kid;
    },

    /**
     * Whether automatic rotation is due: the active key has signed for
     * `days` and no successor is pending yet.
     */
    async rotationDue(days: number): Promise<boolean> {
      const { rows } = await db.query<{ due: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM signing_keys
                         WHERE state = 'active'
                           AND COALESCE(activated_at, created_at) + make_interval(days => $1) <= now())
            AND NOT EXISTS (SELECT 1 FROM signing_keys WHERE state = 'pending') AS due`,
        [days],
      );
      return rows[0]?.due === true;
    },

    /**
     * Stops publishing `kid` and erases its private key: it will never sign
     * again. On a key already retired, only erases what is left.
     */
    async retire(kid: string): Promise<void> {
      await db.query(
        `UPDATE signing_keys
            SET state = 'retired', retired_at = COALESCE(retired_at, now()),
                remove_at = COALESCE(remove_at, now()),
                private_key_ciphertext = NULL, private_key_iv = NULL, private_key_tag = NULL,
                kek_id = NULL
          WHERE kid = $1`,
        [kid],
      );
    },

    /** Keys sealed under another KEK than `kekId`, locked for re-wrapping. */
    async sealedUnderOtherKek(kekId: string): Promise<Array<{ kid: string; sealed: SealedKey }>> {
      const { rows } = await db.query<SealedRow>(
        `SELECT ${SEALED_COLUMNS} FROM signing_keys
          WHERE kek_id IS NOT NULL AND kek_id <> $1 ORDER BY kid FOR UPDATE`,
        [kekId],
      );
      return rows.flatMap((row) => {
        const sealed = toSealed(row);
        return sealed === null ? [] : [{ kid: row.kid, sealed }];
      });
    },

    /** Stores a re-sealed private key. */
    async storeSealed(kid: string, sealed: SealedKey): Promise<void> {
      await db.query(
        `UPDATE signing_keys
            SET private_key_ciphertext = $2, private_key_iv = $3, private_key_tag = $4, kek_id = $5
          WHERE kid = $1`,
        [kid, sealed.ciphertext, sealed.iv, sealed.tag, sealed.kekId],
      );
    },
  };
}

export type KeyQueries = ReturnType<typeof createKeyQueries>;
