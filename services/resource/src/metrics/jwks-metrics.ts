import { Counter, Gauge, Histogram, type Registry } from '@authpair/service-kit';
import type { JwksCache, JwksStatus, VerifierObserver } from '@authpair/verifier';

const STATES: JwksStatus[] = ['never_fetched', 'fresh', 'stale', 'expired'];

/**
 * The JWKS cache's metrics on the service's registry: fetches by outcome
 * and duration, failures by reason, unknown-kid misses (counted as they
 * happen, through the verifier's observer), and the cache's state, key count and age
 * (read from the cache when scraped).
 */
export function createJwksMetrics(registry: Registry) {
  const fetches = new Counter({
    name: 'jwks_fetches_total',
    help: 'JWKS fetches by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: 'jwks_fetch_failures_total',
    help: 'Failed JWKS fetches by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'jwks_fetch_duration_seconds',
    help: 'JWKS fetch duration, failures included',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const unknownKid = new Counter({
    name: 'jwks_unknown_kid_total',
    help: 'Tokens naming a kid the current key set does not hold (answered 401)',
    registers: [registry],
  });
  let cache: JwksCache | undefined;
  new Gauge({
    name: 'jwks_cache_state',
    help: 'The JWKS cache state: 1 for the current state, 0 for the others',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const status = cache?.snapshot().status ?? 'never_fetched';
      for (const state of STATES) this.set({ state }, state === status ? 1 : 0);
    },
  });
  new Gauge({
    name: 'jwks_keys',
    help: 'Keys in the cached JWKS',
    registers: [registry],
    collect() {
      this.set(cache?.snapshot().keys ?? 0);
    },
  });
  new Gauge({
    name: 'jwks_cache_age_seconds',
    help: 'Seconds since the last successful JWKS fetch',
    registers: [registry],
    collect() {
      const fetchedAt = cache?.snapshot().fetchedAt;
      if (fetchedAt !== undefined) this.set((Date.now() - Date.parse(fetchedAt)) / 1000);
    },
  });

  const observer: Pick<VerifierObserver, 'jwksFetched' | 'unknownKid'> = {
    jwksFetched(seconds, reason) {
      duration.observe(seconds);
      fetches.inc({ outcome: reason === undefined ? 'success' : 'failure' });
      if (reason !== undefined) failures.inc({ reason });
    },
    unknownKid() {
      unknownKid.inc();
    },
  };
  return {
    observer,
    /** Points the gauges at the cache once it exists. */
    track(jwks: JwksCache) {
      cache = jwks;
    },
  };
}
