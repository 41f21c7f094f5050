import type { Registry } from '@authpair/service-kit';
import type { Verifier, VerifierObserver } from '@authpair/verifier';
import { createJwksMetrics } from './jwks-metrics';
import { createRevocationMetrics } from './revocation-metrics';
import { createVerificationMetrics } from './verification-metrics';

/**
 * Every metric of the verifier on the service's registry: `observer` goes
 * to `createVerifier` (counted as things happen), `track` points the gauges
 * at the verifier's parts once it exists (read when scraped, so the request
 * path only bumps integers).
 */
export function createVerifierMetrics(registry: Registry) {
  const jwks = createJwksMetrics(registry);
  const verification = createVerificationMetrics(registry);
  const revocation = createRevocationMetrics(registry);
  const observer: VerifierObserver = {
    ...jwks.observer,
    ...verification.observer,
    ...revocation.observer,
  };
  return {
    observer,
    track(verifier: Verifier): void {
      jwks.track(verifier.jwks);
      verification.track(verifier.cache);
      if (verifier.revocations !== undefined) revocation.observe(verifier.revocations);
    },
  };
}
