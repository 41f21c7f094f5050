import type { VerifierOptions } from '@authpair/verifier';
import type { ResourceConfig } from './config';

/**
 * The verifier's settings from this service's configuration: one setting
 * per environment variable, named alike (docs/verifier.md has the table).
 * Exported so the tests can run the verifier's adapters with the very
 * settings the service runs with.
 */
export function verifierOptionsOf(
  config: ResourceConfig,
): Omit<VerifierOptions, 'logger' | 'fetch' | 'observer'> {
  const { url, timeoutMs, cooldownMs, defaultTtl, minTtl, maxTtl, maxStale } = config.jwks;
  return {
    issuer: config.tokens.issuer,
    audience: config.tokens.audience,
    jwksUrl: url,
    realm: config.realm,
    clockTolerance: config.tokens.clockTolerance,
    maxTokenAge: config.tokens.maxTokenAge,
    verifiedCacheSize: config.tokens.verifiedCacheSize,
    jwks: { timeoutMs, cooldownMs, defaultTtl, minTtl, maxTtl, maxStale },
    revocation: { ...config.revocations },
  };
}
