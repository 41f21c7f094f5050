import type { AuditEventType } from '@authpair/contracts';
import type { Logger } from '@authpair/service-kit';
import type { Pool } from 'pg';
import { type AuditContext, type AuditDetail, recordAudit } from '../audit/audit-log';
import type { Queryable } from '../db/pool';
import { generateSigningKey } from './generate';
import type { KeyEncryptionKeys, SealedKey } from './key-encryption';
import { type KeyWork, withKeyLock, withKeyLockIfFree } from './key-lock';
import { createKeyQueries, type KeyQueries, type KeyState, type StoredKey } from './key-queries';
import { resealUnderCurrentKek } from './key-rewrap';
import {
  activationSafeAt,
  earlyActivation,
  earlyRemoval,
  KeyStepRefused,
  removalSafeAt,
} from './key-rules';
import { verifyStoredKey } from './key-verification';
import type { KeySchedule } from './schedule';

export interface KeyLifecycleOptions {
  pool: Pool;
  logger: Logger;
  encryption: KeyEncryptionKeys;
  schedule: KeySchedule;
  rsaModulusBits: number;
  /** Days between automatic rotations; 0 = off. */
  rotationDays: number;
  /** Who its changes are audited as: the service (its start and scheduler), or auth-admin. */
  audit: AuditContext;
}

export interface RotateResult {
  pending: StoredKey;
  active: StoredKey | undefined;
}

export interface StepResult {
  key: StoredKey;
  previousState: KeyState;
  /** False when the key already was in the requested state. */
  changed: boolean;
  /** The step was taken before the schedule deemed it safe. */
  forced: boolean;
}

export interface RewrapResult {
  kekId: string;
  rewrapped: string[];
  /**
   * Of those, the keys that were sealed under a public KEK (the compose
   * default): anyone with a copy of the database from before can open
   * them, so they must be rotated out, not just re-sealed.
   */
  exposed: string[];
}

interface NewKey {
  kid: string;
  publicJwk: StoredKey['publicJwk'];
  sealed: SealedKey;
}

/**
 * Every change to the signing keys, manual (auth-admin) or scheduled (the
 * scheduler's ticks), each in one transaction under one advisory lock, each
 * re-checking the state it acts on once the lock is held. A step the
 * schedule deems unsafe is refused with the reason and the moment it
 * becomes safe, unless forced.
 */
export function createKeyLifecycle(options: KeyLifecycleOptions) {
  const { pool, logger, encryption, schedule } = options;

  const locked = <T>(work: KeyWork<T>) => withKeyLock(pool, work);
  const lockedIfFree = <T>(work: KeyWork<T>) => withKeyLockIfFree(pool, work);
  /** Each state change is audited in the transaction that makes it. */
  const audited = (db: Queryable, type: AuditEventType, detail: AuditDetail) =>
    recordAudit(db, options.audit, { type, detail });

  /** Generated outside any transaction: RSA generation can take seconds, a lock must not. */
  async function newKey(): Promise<NewKey> {
    const generated = await generateSigningKey(options.rsaModulusBits);
    const sealed = encryption.seal(generated.kid, generated.privateKeyDer);
    generated.privateKeyDer.fill(0);
    return { kid: generated.kid, publicJwk: generated.publicJwk, sealed };
  }

  async function find(keys: KeyQueries, kid: string): Promise<StoredKey> {
    const matches = kid === '' ? [] : await keys.matching(kid);
    const exact = matches.find((key) => key.kid === kid);
    if (exact !== undefined) return exact;
    if (matches.length === 0) throw new KeyStepRefused(`no signing key has the kid ${kid}`);
    if (matches.length > 1)
      throw new KeyStepRefused(`${kid} is the start of ${matches.length} kids; give more of it`);
    return matches[0] as StoredKey;
  }

  /**
   * A key that does not open, or is not what its row says (see
   * verifyStoredKey), must never become the signer: the key ring would
   * refuse it, and every login would fail.
   */
  async function assertTrusted(keys: KeyQueries, kid: string): Promise<void> {
    const row = (await keys.published()).find((key) => key.kid === kid);
    if (row === undefined) throw new KeyStepRefused(`signing key ${kid} is not published`);
    try {
      await verifyStoredKey(row, encryption);
    } catch (error) {
      throw new KeyStepRefused((error as Error).message);
    }
  }

  async function insertPending(
    keys: KeyQueries,
    db: Queryable,
    key: NewKey,
  ): Promise<RotateResult> {
    await keys.insert({ ...key, state: 'pending', activateAfterMs: schedule.pendingMs });
    await audited(db, 'signing_key_created', { kid: key.kid, state: 'pending' });
    const pending = await find(keys, key.kid);
    const activateAt = pending.activateAt as Date;
    await keys.planRetirement(activateAt, new Date(activateAt.getTime() + schedule.retiringMs));
    const active = (await keys.published()).find((stored) => stored.state === 'active');
    return { pending, active };
  }

  return {
    /**
     * At start: makes sure one active key exists. Replicas starting
     * together each may generate a key; the lock and the re-check let
     * exactly one insert it. Nothing here seals a key it did not generate:
     * a private key found in the database was put there by someone else.
     */
    async initialise(): Promise<void> {
      const stored = await createKeyQueries(pool).all();
      const stale = stored.filter(
        (key) => key.kekId !== null && key.kekId !== encryption.currentId,
      );
      if (stale.length > 0)
        logger.warn(
          { kids: stale.map((key) => key.kid), current: encryption.currentId },
          'signing keys are sealed under an older key-encryption key; run `auth-admin keys rewrap`',
        );
      if (stored.some((key) => key.state === 'active')) return;
      const key = await newKey();
      await locked(async (keys, db) => {
        if ((await keys.published()).some((existing) => existing.state === 'active')) return;
        await keys.insert({ ...key, state: 'active' });
        await audited(db, 'signing_key_created', { kid: key.kid, state: 'active' });
        logger.info({ kid: key.kid, bits: options.rsaModulusBits }, 'signing key created');
      });
    },

    /**
     * Every key and the database's clock, for `keys list`, with why each
     * published row that fails verification is refused: an operator must
     * not mistake a row written into the table by someone else for a key.
     */
    async list(): Promise<{ now: Date; keys: StoredKey[]; refused: Map<string, string> }> {
      const keys = createKeyQueries(pool);
      const [now, all, published] = await Promise.all([keys.now(), keys.all(), keys.published()]);
      const refused = new Map<string, string>();
      for (const row of published)
        await verifyStoredKey(row, encryption).catch((error: Error) =>
          refused.set(row.kid, error.message),
        );
      return { now, keys: all, refused };
    },

    /** Adds a pending key that the scheduler activates once verifiers can know it. */
    async rotate(): Promise<RotateResult> {
      const key = await newKey();
      const result = await locked(async (keys, db) => {
        const pending = (await keys.published()).find((stored) => stored.state === 'pending');
        if (pending !== undefined)
          throw new KeyStepRefused(
            `signing key ${pending.kid} is already pending (it activates at ${pending.activateAt?.toISOString()}); activate or retire it first`,
          );
        return insertPending(keys, db, key);
      });
      logger.info(
        { kid: result.pending.kid, activate_at: result.pending.activateAt },
        'signing key added (pending)',
      );
      return result;
    },

    /** Makes a pending key the signer; refused before its activation is safe unless `force`. */
    async activate(kid: string, { force = false } = {}): Promise<StepResult> {
      const result = await locked(async (keys, db): Promise<StepResult> => {
        const key = await find(keys, kid);
        const unchanged = { key, previousState: key.state, changed: false, forced: false };
        if (key.state === 'active') return unchanged;
        if (key.state !== 'pending')
          throw new KeyStepRefused(
            `signing key ${key.kid} is ${key.state}; only a pending key can be activated`,
          );
        const now = await keys.now();
        const early = now < activationSafeAt(key, schedule);
        if (early && !force) throw earlyActivation(key, now, schedule);
        await assertTrusted(keys, key.kid);
        const retiring = (await keys.activate(key.kid, schedule.retiringMs)) ?? null;
        await audited(db, 'signing_key_activated', { kid: key.kid, retiring, forced: early });
        return {
          key: await find(keys, key.kid),
          previousState: 'pending',
          changed: true,
          forced: early,
        };
      });
      if (result.changed)
        logger.warn(
          { kid: result.key.kid, forced: result.forced },
          'signing key activated by hand',
        );
      return result;
    },

    /** Withdraws a pending key, or removes a retiring key from the JWKS (unsafe early unless `force`). */
    async retire(kid: string, { force = false } = {}): Promise<StepResult> {
      const result = await locked(async (keys, db): Promise<StepResult> => {
        const key = await find(keys, kid);
        const unchanged = { key, previousState: key.state, changed: false, forced: false };
        if (key.state === 'retired') return unchanged;
        if (key.state === 'active')
          throw new KeyStepRefused(
            `signing key ${key.kid} is the active key and cannot be retired: run \`keys rotate\`, then \`keys activate <new kid>\`; it then retires on schedule`,
          );
        let forced = false;
        if (key.state === 'retiring') {
          const now = await keys.now();
          forced = now < removalSafeAt(key, schedule);
          if (forced && !force) throw earlyRemoval(key, now, schedule);
        } else {
          await keys.planRetirement(null, null); // the rotation it belonged to is withdrawn
        }
        await keys.retire(key.kid);
        await audited(db, 'signing_key_retired', { kid: key.kid, from: key.state, forced });
        return { key: await find(keys, key.kid), previousState: key.state, changed: true, forced };
      });
      if (result.changed)
        logger.warn(
          { kid: result.key.kid, from: result.previousState, forced: result.forced },
          'signing key retired by hand',
        );
      return result;
    },

    /** Re-seals every private key under the current KEK (after adding a new KEK in front). */
    async rewrap(): Promise<RewrapResult> {
      const result = await locked(async (keys, db) => {
        const resealed = await resealUnderCurrentKek(keys, encryption);
        await audited(db, 'signing_keys_rewrapped', {
          kek_id: encryption.currentId,
          keys: resealed.length,
        });
        return {
          kekId: encryption.currentId,
          rewrapped: resealed.map(({ kid }) => kid),
          exposed: resealed.filter(({ from }) => encryption.isPublic(from)).map(({ kid }) => kid),
        };
      });
      logger.info(result, 'signing keys re-wrapped');
      return result;
    },

    /** Scheduler step: activates the pending key once that is safe. */
    async activateDue(): Promise<string | undefined> {
      return lockedIfFree(async (keys, db) => {
        const pending = (await keys.published()).find((key) => key.state === 'pending');
        if (pending === undefined || (await keys.now()) < activationSafeAt(pending, schedule))
          return undefined;
        try {
          await assertTrusted(keys, pending.kid);
        } catch (error) {
          logger.error({ err: error, kid: pending.kid }, 'pending signing key cannot be activated');
          return undefined;
        }
        const retiring = await keys.activate(pending.kid, schedule.retiringMs);
        const detail = { kid: pending.kid, retiring: retiring ?? null, forced: false };
        await audited(db, 'signing_key_activated', detail);
        logger.info({ kid: pending.kid, retiring }, 'signing key activated');
        return pending.kid;
      });
    },

    /** Scheduler step: removes retiring keys whose tokens have all expired. */
    async removeDue(): Promise<string[]> {
      const removed = await lockedIfFree(async (keys, db) => {
        const now = await keys.now();
        const due = (await keys.published()).filter(
          (key) => key.state === 'retiring' && now >= removalSafeAt(key, schedule),
        );
        for (const key of due) {
          await keys.retire(key.kid);
          await audited(db, 'signing_key_retired', {
            kid: key.kid,
            from: key.state,
            forced: false,
          });
        }
        return due.map((key) => key.kid);
      });
      if (removed !== undefined && removed.length > 0)
        logger.info({ kids: removed }, 'signing keys retired');
      return removed ?? [];
    },

    /** Scheduler step: adds a pending key when the active one is `rotationDays` old. */
    async rotateIfDue(): Promise<string | undefined> {
      if (options.rotationDays === 0) return undefined;
      if (!(await createKeyQueries(pool).rotationDue(options.rotationDays))) return undefined;
      const key = await newKey();
      const result = await lockedIfFree(async (keys, db) =>
        (await keys.rotationDue(options.rotationDays)) ? insertPending(keys, db, key) : undefined,
      );
      if (result === undefined) return undefined;
      logger.info(
        { kid: result.pending.kid, activate_at: result.pending.activateAt },
        'signing key rotation started (pending key added)',
      );
      return result.pending.kid;
    },
  };
}

export type KeyLifecycle = ReturnType<typeof createKeyLifecycle>;
