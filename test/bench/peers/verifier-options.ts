// What the @authpair/verifier peers give createVerifier: the same issuer, audience,
// keys and revocation feed as every peer and the resource service, defaults otherwise.
import { createVerifier, type Verifier } from '@authpair/verifier';
import { audience, issuer, jwksUrl } from './common';

export function benchVerifier(): Verifier {
  return createVerifier({
    issuer,
    audience,
    jwksUrl,
    revocation: {
      token: process.env.REVOCATION_FEED_TOKEN ?? '',
      ...(process.env.REVOCATION_FEED_URL ? { url: process.env.REVOCATION_FEED_URL } : {}),
    },
  });
}
