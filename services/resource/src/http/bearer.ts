import type { VerifiedClaims } from '@authpair/contracts';
import {
  HttpProblem,
  invalidTokenProblem,
  type RequestState,
  readBearerToken,
} from '@authpair/service-kit';
import type { Middleware } from 'koa';
import { type RevocationList, RevocationUnavailableError } from '../revocation/revocation-list';
import { InvalidTokenError, JwksUnavailableError } from '../verify/errors';
import type { VerificationMetrics } from '../verify/verification-metrics';
import type { AccessTokenVerifier } from '../verify/verifier';

/** `ctx.state` on routes behind `requireAccessToken`. */
export interface AuthenticatedState extends RequestState {
  claims: Readonly<VerifiedClaims>;
}

/**
 * Requires a valid access token in the Authorization header (RFC 6750 §2.1;
 * see `readBearerToken` for the 400 and 401 answers). A bad token: 401
 * `invalid_token`. Keys unobtainable: 503 with Retry-After.
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
      metrics.outcome('valid');
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        metrics.outcome('invalid');
        throw invalidTokenProblem(realm, error.message, error);
      }
      if (error instanceof JwksUnavailableError) {
        metrics.outcome('jwks_unavailable');
        throw new HttpProblem('jwks_unavailable', 'the token cannot be checked now; retry later', {
          headers: { 'Retry-After': String(error.retryAfterSeconds) },
          cause: error,
        });
      }
      throw error;
    }
    await next();
  };
}

/**
 * The revocation step, after `requireAccessToken` and separate from it: it
 * runs on every request, however the token's verification was obtained
 * (a verified-token cache must never skip it). A token of an ended session:
 * 401 `invalid_token`. A revocation list too old to tell: 503 with
 * Retry-After (fail closed), unless configured to fail open.
 */
export function requireLiveSession(
  revocations: RevocationList,
  realm: string,
): Middleware<AuthenticatedState> {
  return async function rejectEndedSessions(ctx, next) {
    try {
      revocations.check(ctx.state.claims.sid);
    } catch (error) {
      if (error instanceof InvalidTokenError)
        throw invalidTokenProblem(realm, error.message, error);
      if (error instanceof RevocationUnavailableError) {
        throw new HttpProblem(
          'revocation_unavailable',
          'the token cannot be checked now; retry later',
          {
            headers: { 'Retry-After': String(error.retryAfterSeconds) },
            cause: error,
          },
        );
      }
      throw error;
    }
    await next();
  };
}
