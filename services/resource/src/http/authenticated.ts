import type { Middleware } from 'koa';
import type { RevocationList } from '../revocation/revocation-list';
import type { AccessTokenVerifier } from '../verify/verifier';
import { type AuthenticatedState, requireAccessToken, requireLiveSession } from './bearer';
import type { VerificationMetrics } from './verification-metrics';

export interface AuthenticatedDeps {
  verifier: AccessTokenVerifier;
  revocations: RevocationList;
  realm: string;
  verifications: VerificationMetrics;
}

/**
 * What every protected route starts with, in this order: count the
 * outcome, verify the token, then refuse it if its session has ended.
 */
export function authenticated({
  verifier,
  revocations,
  realm,
  verifications,
}: AuthenticatedDeps): Middleware<AuthenticatedState>[] {
  return [
    verifications.count,
    requireAccessToken(verifier, realm),
    requireLiveSession(revocations, realm),
  ];
}
