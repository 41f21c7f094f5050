import type { ProtectedResponse } from '@authpair/contracts';
import Router from '@koa/router';
import type { RevocationList } from '../../revocation/revocation-list';
import type { VerificationMetrics } from '../../verify/verification-metrics';
import type { AccessTokenVerifier } from '../../verify/verifier';
import { type AuthenticatedState, requireAccessToken, requireLiveSession } from '../bearer';

export interface ProtectedRouteDeps {
  verifier: AccessTokenVerifier;
  revocations: RevocationList;
  realm: string;
  metrics: Pick<VerificationMetrics, 'outcome'>;
}

/** `GET /protected`: the endpoint the product started from. */
export function protectedRoutes({
  verifier,
  revocations,
  realm,
  metrics,
}: ProtectedRouteDeps): Router<AuthenticatedState> {
  const router = new Router<AuthenticatedState>();
  // Verification, then revocation: every protected route takes both, in this order.
  const authenticated = [
    requireAccessToken(verifier, realm, metrics),
    requireLiveSession(revocations, realm),
  ] as const;
  router.get('/protected', ...authenticated, function greet(ctx) {
    const { claims } = ctx.state;
    const body: ProtectedResponse = {
      message: `Hello, ${claims.username}! This is a protected resource.`,
      claims,
    };
    ctx.body = body;
  });
  return router;
}
