import { Counter, Gauge, type Registry } from '@authpair/service-kit';
import type { KeyState } from './key-queries';
import type { KeyRing } from './key-ring';
import type { KeySchedulerOptions } from './key-scheduler';

const STATES: KeyState[] = ['pending', 'active', 'retiring'];

/**
 * Signing-key metrics on the service's registry: the published keys by
 * state and the age of this replica's view (both read when scraped), and
 * the lifecycle steps this replica's scheduler took. A rotation stuck in
 * pending, or a view that stops refreshing, is visible and alertable.
 */
export function signingKeyMetrics(registry: Registry) {
  let ring: KeyRing | undefined;
  new Gauge({
    name: 'signing_keys',
    help: 'Published signing keys in this replica view, by state',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const keys = ring?.view().keys ?? [];
      for (const state of STATES)
        this.set({ state }, keys.filter((key) => key.state === state).length);
    },
  });
  new Gauge({
    name: 'signing_keys_view_age_seconds',
    help: 'Seconds since this replica last read the signing keys',
    registers: [registry],
    collect() {
      const loadedAt = ring?.view().loadedAt;
      if (loadedAt !== undefined) this.set((Date.now() - loadedAt.getTime()) / 1000);
    },
  });
  new Gauge({
    name: 'signing_keys_rejected',
    help: 'Rows of signing_keys this replica refuses to publish or sign with: the kid is not the thumbprint of the public key, or the private key does not open or does not match it',
    registers: [registry],
    collect() {
      this.set(ring?.view().rejected.length ?? 0);
    },
  });
  const steps = new Counter({
    name: 'signing_key_steps_total',
    help: 'Signing-key lifecycle steps taken by this replica scheduler',
    labelNames: ['step'] as const,
    registers: [registry],
  });
  const onStep: NonNullable<KeySchedulerOptions['onStep']> = (step) => steps.inc({ step });
  return {
    onStep,
    /** Points the gauges at the ring once it exists. */
    observe(keyRing: KeyRing) {
      ring = keyRing;
    },
  };
}
