import type { DependencyCheck } from '@authpair/contracts';
import type { Logger, Registry } from '@authpair/service-kit';
import type { Pool } from 'pg';
import { type AuditContext, SERVICE_AUDIT } from '../audit/audit-log';
import { createKeyLifecycle, type KeyLifecycle } from './key-lifecycle';
import { signingKeyMetrics } from './key-metrics';
import { KeyRing } from './key-ring';
import { KeyScheduler } from './key-scheduler';
import type { KeysConfig } from './key-settings';
import { computeKeySchedule, type KeySchedule } from './schedule';

export type { KeysConfig } from './key-settings';

/** The schedule this configuration implies. */
export function keyScheduleOf(config: KeysConfig): KeySchedule {
  return computeKeySchedule({
    jwksMaxAge: config.keys.jwksMaxAge,
    verifierJwksMaxTtl: config.keys.verifiers.jwksMaxTtl,
    verifierCooldown: config.keys.verifiers.cooldown,
    clockTolerance: config.keys.verifiers.clockTolerance,
    refreshIntervalMs: config.keys.refreshIntervalMs,
    accessTokenTtl: config.tokens.accessTokenTtl,
  });
}

/** The lifecycle; its manual steps are audited as `audit` (auth-admin passes CLI_AUDIT). */
export function keyLifecycleOf(
  pool: Pool,
  config: KeysConfig,
  logger: Logger,
  audit: AuditContext = SERVICE_AUDIT,
): KeyLifecycle {
  return createKeyLifecycle({
    audit,
    pool,
    logger,
    encryption: config.keys.encryption,
    schedule: keyScheduleOf(config),
    rsaModulusBits: config.keys.rsaModulusBits,
    rotationDays: config.keys.rotationDays,
  });
}

/** The service's signing keys: the lifecycle, this replica's view, and the scheduler. */
export interface SigningKeys {
  ring: KeyRing;
  lifecycle: KeyLifecycle;
  scheduler: KeyScheduler;
  schedule: KeySchedule;
  /** Seals legacy keys, ensures an active key, and reads the keys into the ring (I/O, at start). */
  load(): Promise<void>;
  /** Starts rereading the keys and the lifecycle scheduler's timer (after `load`). */
  startTimers(): void;
  /** Stops the timers and waits for a scheduler tick in progress. */
  stop(): Promise<void>;
}

/** Builds the keys' parts; nothing is read and no timer starts until `load` and `startTimers`. */
export function createSigningKeys(
  pool: Pool,
  config: KeysConfig,
  logger: Logger,
  metrics: Registry,
): SigningKeys {
  const { onStep, observe } = signingKeyMetrics(metrics);
  const lifecycle = keyLifecycleOf(pool, config, logger);
  const ring = new KeyRing(pool, logger, {
    encryption: config.keys.encryption,
    refreshIntervalMs: config.keys.refreshIntervalMs,
  });
  observe(ring);
  const scheduler = new KeyScheduler(lifecycle, ring, logger, {
    intervalMs: config.keys.refreshIntervalMs,
    onStep,
  });
  return {
    ring,
    lifecycle,
    scheduler,
    schedule: keyScheduleOf(config),
    async load() {
      await lifecycle.initialise();
      await ring.refresh();
    },
    startTimers() {
      ring.keepFresh();
      scheduler.start();
    },
    async stop() {
      ring.stop();
      await scheduler.stop();
    },
  };
}

/**
 * The `/readyz` entry: the kid signing now, the published states, and the
 * rows refused as forged or unopenable. `down` when this replica cannot
 * sign: the active key does not open or verify with its KEKs, or its view
 * is older than twice the refresh interval (it has failed to reread the
 * keys more than once); a load balancer then stops sending it logins that
 * would get 503. `degraded` when some row is refused.
 */
export function signingKeysReadiness(keys: SigningKeys, refreshIntervalMs: number) {
  return async function signingKeysCheck(): Promise<DependencyCheck> {
    const view = keys.ring.view();
    const ageMs =
      view.loadedAt === undefined ? Number.POSITIVE_INFINITY : Date.now() - view.loadedAt.getTime();
    const facts = {
      active_kid: view.activeKid,
      keys: view.keys,
      loaded_at: view.loadedAt?.toISOString(),
      rejected: view.rejected,
    };
    if (view.activeRefusal !== undefined)
      return {
        status: 'down',
        detail: 'this replica cannot use the active signing key (see its log)',
        ...facts,
      };
    if (ageMs > 2 * refreshIntervalMs)
      return {
        status: 'down',
        detail: `the signing keys were last read ${Math.round(ageMs / 1000)} s ago`,
        ...facts,
      };
    return { status: view.rejected.length > 0 ? 'degraded' : 'up', ...facts };
  };
}
