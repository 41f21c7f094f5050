import type { Middleware } from 'koa';
import type { RevocationList } from '../revocation/revocation-list';
import type { VerificationMetrics } from '../verify/verification-metrics';
import type { AccessTokenVerifier } from '../verify/verifier';
import { type AuthenticatedState, requireAccessToken, requireLiveSession } from './bearer';

export interface AuthenticatedDeps {
  verifier: AccessTokenVerifier;
  revocations: RevocationList;
  realm: string;
  metrics: Pick<VerificationMetrics, 'outcome'>;
}

/**
 * What every protected route starts with, in this order: verify the token
 * (counting the outcome), then refuse it if its session has ended.
 */
export function authenticated({
  verifier,
  revocations,
  realm,
  metrics,
}: AuthenticatedDeps): Middleware<AuthenticatedState>[] {
  return [requireAccessToken(verifier, realm, metrics), requireLiveSession(revocations)];
}
