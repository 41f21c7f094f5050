import type { VerifiedClaims } from '@authpair/contracts';
import { type RequestState, readBearerToken } from '@authpair/service-kit';
import type { Middleware } from 'koa';
import type { RevocationList } from '../revocation/revocation-list';
import type { VerificationMetrics } from '../verify/verification-metrics';
import type { AccessTokenVerifier } from '../verify/verifier';

/** `ctx.state` on routes behind `requireAccessToken`. */
export interface AuthenticatedState extends RequestState {
  claims: Readonly<VerifiedClaims>;
}

/**
 * Requires a valid access token in the Authorization header (RFC 6750 §2.1;
 * see `readBearerToken` for the 400 and 401 answers). A bad token: 401
 * `invalid_token`. Keys unobtainable: 503 `jwks_unavailable` with
 * Retry-After. The error handler renders both from the catalogue.
 */
export function requireAccessToken(
  verifier: AccessTokenVerifier,
  realm: string,
  metrics: Pick<VerificationMetrics, 'outcome'>,
): Middleware<AuthenticatedState> {
  return async function authenticate(ctx, next) {
    const token = readBearerToken(ctx, realm);
    try {
      ctx.state.claims = await verifier.verify(token);
    } catch (error) {
      const { code } = error as { code?: unknown };
      if (code === 'invalid_token') metrics.outcome('invalid');
      else if (code === 'jwks_unavailable') metrics.outcome('jwks_unavailable');
      throw error;
    }
    metrics.outcome('valid');
    await next();
  };
}

/**
 * The revocation step, after `requireAccessToken` and separate from it: it
 * runs on every request, however the token's verification was obtained
 * (a verified-token cache must never skip it). A token of an ended session:
 * 401 `invalid_token`. A revocation list too old to tell: 503
 * `revocation_unavailable` (fail closed), unless configured to fail open.
 */
export function requireLiveSession(revocations: RevocationList): Middleware<AuthenticatedState> {
  return async function rejectEndedSessions(ctx, next) {
    revocations.check(ctx.state.claims.sid);
    await next();
  };
}
