import { Counter, Gauge, type Registry } from '@authpair/service-kit';
import type { VerificationOutcome, VerifiedTokenCache, VerifierObserver } from '@authpair/verifier';

/**
 * Access-token verification on the service's registry: outcomes per
 * request, and the verified-token cache's hits, misses and size (read from
 * the cache when scraped, so the request path only bumps integers).
 */
export function createVerificationMetrics(registry: Registry) {
  const outcomes = new Counter({
    name: 'access_token_verifications_total',
    help: 'Access tokens checked, by outcome (before the revocation step)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const byOutcome = {
    valid: outcomes.labels('valid'),
    invalid: outcomes.labels('invalid'),
    jwks_unavailable: outcomes.labels('jwks_unavailable'),
  } satisfies Record<VerificationOutcome, unknown>;
  let cache: VerifiedTokenCache | undefined;
  let reported = { hits: 0, misses: 0 };
  new Counter({
    name: 'access_token_cache_lookups_total',
    help: 'Verified-token cache lookups by result',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      if (cache === undefined) return;
      this.inc({ result: 'hit' }, cache.hits - reported.hits);
      this.inc({ result: 'miss' }, cache.misses - reported.misses);
      reported = { hits: cache.hits, misses: cache.misses };
    },
  });
  new Gauge({
    name: 'access_token_cache_entries',
    help: 'Tokens whose verified claims are held in memory',
    registers: [registry],
    collect() {
      this.set(cache?.size ?? 0);
    },
  });
  const observer: Pick<VerifierObserver, 'verified'> = {
    verified(outcome) {
      byOutcome[outcome].inc();
    },
  };
  return {
    observer,
    track(tracked: VerifiedTokenCache): void {
      cache = tracked;
    },
  };
}
