import type { KeyObject } from 'node:crypto';
import type { RsaPublicJwk } from '@authpair/contracts';
import { AuthpairError } from '@authpair/contracts';
import type { Logger } from '@authpair/service-kit';
import type { Pool } from 'pg';
import { type Repeating, repeatEvery } from '../db/repeat';
import type { KeyEncryptionKeys } from './key-encryption';
import { createKeyQueries, type KeyState, type PublishedKey } from './key-queries';
import { storedKeyFingerprint, type VerifiedKey, verifyStoredKey } from './key-verification';

/** The key that signs new tokens. */
export interface ActiveSigningKey {
  kid: string;
  privateKey: KeyObject;
}

export interface KeyRingOptions {
  encryption: KeyEncryptionKeys;
  /**
   * How often the keys are reread. The rotation schedule assumes no replica
   * signs from a view older than this, so signing waits for a reread past it.
   */
  refreshIntervalMs: number;
}

/**
 * This replica cannot vouch for the signing keys now: its view is older than
 * the refresh interval and a reread failed (the database is unavailable, or
 * the active key does not open or verify with this replica's KEKs). A 503:
 * another replica, or this one a moment later, can answer.
 */
export class KeyRingUnavailableError extends AuthpairError<'service_unavailable'> {
  /** `refusal` is for the log; the client is told only to retry. */
  constructor(refusal: string, options?: ErrorOptions) {
    super('service_unavailable', 'the signing keys are unavailable; retry later', {
      ...options,
      message: refusal,
      retryAfterSeconds: 5,
    });
  }
}

/** What this replica currently believes, for readiness and metrics. */
export interface KeyRingView {
  activeKid: string | undefined;
  keys: Array<{ kid: string; state: KeyState }>;
  loadedAt: Date | undefined;
  /** Rows of the last read that failed verification: never published, never used to sign. */
  rejected: Array<{ kid: string; state: KeyState }>;
  /**
   * Set when the last read found an active key this replica cannot sign
   * with (its KEK is missing, or the row fails verification): why.
   */
  activeRefusal: string | undefined;
}

/** A row's verification outcome, kept while the row is unchanged. */
type Verdict = { fingerprint: string } & ({ key: VerifiedKey } | { refusal: string });

/**
 * This replica's view of the signing keys: the active key for signing and
 * the published set for the JWKS, reread from PostgreSQL in the background
 * well within `refreshIntervalMs`. Polling, not LISTEN/NOTIFY: a
 * notification can be missed while a connection is down, so the schedule
 * would have to assume the polling interval anyway.
 */
export class KeyRing {
  readonly #pool: Pool;
  readonly #logger: Logger;
  readonly #options: KeyRingOptions;
  #active: ActiveSigningKey | undefined;
  #published: RsaPublicJwk[] = [];
  #states: KeyRingView['keys'] = [];
  #rejected: KeyRingView['rejected'] = [];
  #activeRefusal: string | undefined;
  readonly #verdicts = new Map<string, Verdict>();
  #loadedAt = 0;
  #refreshing: Promise<void> | undefined;
  #rereading: Repeating | undefined;

  constructor(pool: Pool, logger: Logger, options: KeyRingOptions) {
    this.#pool = pool;
    this.#logger = logger;
    this.#options = options;
  }

  /**
   * Keeps rereading the keys on a timer, after a first `refresh()` (an
   * active key must exist: see KeyLifecycle.initialise).
   */
  keepFresh(): void {
    this.#rereading?.stop();
    // At half the interval, so a request rarely finds the view too old and waits.
    this.#rereading = repeatEvery(
      this.#options.refreshIntervalMs / 2,
      () => this.refresh(),
      (error) => {
        // Keep serving the last known keys; signing refuses once they are too old.
        this.#logger.warn({ err: error }, 'signing keys could not be refreshed');
      },
    );
  }

  stop(): void {
    this.#rereading?.stop();
  }

  /** Rereads the keys from PostgreSQL; concurrent callers share one read. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#load().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /**
   * The key to sign with now. A view older than the refresh interval is
   * reread first (normally the background timer has done it), so a replica
   * never signs with a key the schedule assumes it has stopped using; when
   * the reread fails, KeyRingUnavailableError.
   */
  async signingKey(): Promise<ActiveSigningKey> {
    await this.#fresh();
    if (this.#active === undefined)
      throw new KeyRingUnavailableError('the key ring has not been started');
    return this.#active;
  }

  /**
   * The public keys to publish now: pending, active and retiring. Read as
   * signingKey() is, no older than the refresh interval: the schedule lets
   * a pending key sign once every replica has published it for that long,
   * so an older set could be cached by a verifier just as the new key
   * starts signing. When the reread fails, KeyRingUnavailableError.
   */
  async publishedKeys(): Promise<RsaPublicJwk[]> {
    await this.#fresh();
    return this.#published;
  }

  view(): KeyRingView {
    return {
      activeKid: this.#active?.kid,
      keys: this.#states,
      loadedAt: this.#loadedAt === 0 ? undefined : new Date(this.#loadedAt),
      rejected: this.#rejected,
      activeRefusal: this.#activeRefusal,
    };
  }

  /** Rereads a view older than the refresh interval; a failure is KeyRingUnavailableError. */
  async #fresh(): Promise<void> {
    if (Date.now() - this.#loadedAt <= this.#options.refreshIntervalMs) return;
    try {
      await this.refresh();
    } catch (error) {
      if (error instanceof KeyRingUnavailableError) throw error;
      throw new KeyRingUnavailableError('the signing keys could not be reread', { cause: error });
    }
  }

  async #load(): Promise<void> {
    // One statement, so the active key and the published set come from one snapshot.
    const rows = await createKeyQueries(this.#pool).published();
    const published: RsaPublicJwk[] = [];
    const states: KeyRingView['keys'] = [];
    const rejected: KeyRingView['rejected'] = [];
    let active: ActiveSigningKey | undefined;
    let activeRefusal = 'no active signing key';
    for (const row of rows) {
      const verdict = await this.#verify(row);
      if ('refusal' in verdict) {
        rejected.push({ kid: row.kid, state: row.state });
        if (row.state === 'active') activeRefusal = verdict.refusal;
        continue;
      }
      published.push(verdict.key.publicJwk);
      states.push({ kid: row.kid, state: row.state });
      if (row.state === 'active') active = { kid: row.kid, privateKey: verdict.key.privateKey };
    }
    for (const kid of this.#verdicts.keys())
      if (!rows.some((row) => row.kid === kid)) this.#verdicts.delete(kid);
    this.#rejected = rejected;
    this.#activeRefusal = active === undefined ? activeRefusal : undefined;
    if (active === undefined) throw new KeyRingUnavailableError(activeRefusal);
    if (this.#active?.kid !== active.kid)
      this.#logger.info({ kid: active.kid }, 'signing with key');
    this.#active = active;
    this.#published = published;
    this.#states = states;
    this.#loadedAt = Date.now();
  }

  /**
   * Verifies a row once per content (see verifyStoredKey): a forged or
   * altered row is logged when first seen, then skipped on every read.
   */
  async #verify(row: PublishedKey): Promise<Verdict> {
    const fingerprint = storedKeyFingerprint(row);
    const known = this.#verdicts.get(row.kid);
    if (known?.fingerprint === fingerprint) return known;
    let verdict: Verdict;
    try {
      verdict = { fingerprint, key: await verifyStoredKey(row, this.#options.encryption) };
    } catch (error) {
      const refusal = error instanceof Error ? error.message : String(error);
      this.#logger.error(
        { kid: row.kid, state: row.state, reason: refusal },
        'signing key refused: it is not published and never signs',
      );
      verdict = { fingerprint, refusal };
    }
    this.#verdicts.set(row.kid, verdict);
    return verdict;
  }
}
