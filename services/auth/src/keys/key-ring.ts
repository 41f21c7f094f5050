import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { RsaPublicJwk } from '@authpair/contracts';
import type { Logger } from '@authpair/service-kit';
import type { Pool } from 'pg';
import { inTransaction } from '../db/pool';
import { generateSigningKey } from './generate';
import { createKeyQueries } from './key-queries';

/** The key that signs new tokens. */
export interface ActiveSigningKey {
  kid: string;
  privateKey: KeyObject;
}

/** Serialises key creation across replicas for the length of one transaction. */
const KEY_LOCK = 'authpair:signing-keys';

export interface KeyRingOptions {
  rsaModulusBits: number;
  /** How long a replica uses its cached view of the keys before rereading them. */
  refreshIntervalMs?: number;
}

/**
 * This replica's view of the signing keys: the active key for signing and
 * the published set for the JWKS, read from PostgreSQL and refreshed in the
 * background, so the request path never waits on the database for a key.
 */
export class KeyRing {
  readonly #pool: Pool;
  readonly #logger: Logger;
  readonly #options: Required<KeyRingOptions>;
  #active: ActiveSigningKey | undefined;
  #published: RsaPublicJwk[] = [];
  #loadedAt = 0;
  #refreshing: Promise<void> | undefined;

  constructor(pool: Pool, logger: Logger, options: KeyRingOptions) {
    this.#pool = pool;
    this.#logger = logger;
    this.#options = { refreshIntervalMs: 30_000, ...options };
  }

  /**
   * Makes sure exactly one active key exists, creating it on first start.
   * Replicas starting together serialise on an advisory lock, and the
   * partial unique index would refuse a second active key regardless.
   */
  async start(): Promise<void> {
    await inTransaction(this.#pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [KEY_LOCK]);
      const keys = createKeyQueries(client);
      if ((await keys.active()) !== undefined) return;
      const generated = await generateSigningKey(this.#options.rsaModulusBits);
      await keys.insert({ ...generated, state: 'active' });
      this.#logger.info(
        { kid: generated.kid, bits: this.#options.rsaModulusBits },
        'signing key created',
      );
    });
    await this.refresh();
  }

  /** Rereads the keys from PostgreSQL; concurrent callers share one read. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#load().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /** The key to sign with now. */
  signingKey(): ActiveSigningKey {
    this.#refreshIfStale();
    if (this.#active === undefined) throw new Error('the key ring has not been started');
    return this.#active;
  }

  /** The public keys to publish now. */
  publishedKeys(): RsaPublicJwk[] {
    this.#refreshIfStale();
    return this.#published;
  }

  async #load(): Promise<void> {
    const keys = createKeyQueries(this.#pool);
    const [active, published] = await Promise.all([keys.active(), keys.published()]);
    if (active === undefined) throw new Error('no active signing key');
    if (this.#active?.kid !== active.kid) {
      this.#active = { kid: active.kid, privateKey: createPrivateKey(active.privateKeyPem) };
    }
    this.#published = published;
    this.#loadedAt = Date.now();
  }

  #refreshIfStale(): void {
    if (Date.now() - this.#loadedAt < this.#options.refreshIntervalMs) return;
    this.refresh().catch((error: unknown) => {
      // Keep serving the last known keys; the next request tries again.
      this.#logger.warn({ err: error }, 'signing keys could not be refreshed');
    });
  }
}
