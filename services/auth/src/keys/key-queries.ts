import type { RsaPublicJwk } from '@authpair/contracts';
import type { Queryable } from '../db/pool';

export type KeyState = 'pending' | 'active' | 'retiring' | 'retired';

export interface StoredKey {
  kid: string;
  state: KeyState;
  publicJwk: RsaPublicJwk;
  privateKeyPem: string;
  createdAt: Date;
}

interface KeyRow {
  kid: string;
  state: KeyState;
  public_jwk: RsaPublicJwk;
  private_key: string;
  created_at: Date;
}

const toKey = (row: KeyRow): StoredKey => ({
  kid: row.kid,
  state: row.state,
  publicJwk: row.public_jwk,
  privateKeyPem: row.private_key,
  createdAt: row.created_at,
});

/** SQL for the signing_keys table. */
export function createKeyQueries(db: Queryable) {
  return {
    async active(): Promise<StoredKey | undefined> {
      const { rows } = await db.query<KeyRow>(
        `SELECT kid, state, public_jwk, private_key, created_at FROM signing_keys WHERE state = 'active'`,
      );
      return rows[0] === undefined ? undefined : toKey(rows[0]);
    },

    /** Public keys in the JWKS: pending, active and retiring, newest first. */
    async published(): Promise<RsaPublicJwk[]> {
      const { rows } = await db.query<{ public_jwk: RsaPublicJwk }>(
        `SELECT public_jwk FROM signing_keys
          WHERE state IN ('pending', 'active', 'retiring')
          ORDER BY created_at DESC, kid`,
      );
      return rows.map((row) => row.public_jwk);
    },

    async insert(key: {
      kid: string;
      state: KeyState;
      publicJwk: RsaPublicJwk;
      privateKeyPem: string;
    }): Promise<void> {
      await db.query(
        `INSERT INTO signing_keys (kid, state, public_jwk, private_key, activated_at)
         VALUES ($1, $2, $3, $4, CASE WHEN $2 = 'active' THEN now() END)`,
        [key.kid, key.state, JSON.stringify(key.publicJwk), key.privateKeyPem],
      );
    },
  };
}
