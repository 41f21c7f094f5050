import type { VerifiedClaims } from '@authpair/contracts';
import { HttpProblem, type RequestState } from '@authpair/service-kit';
import type { Middleware } from 'koa';
import { InvalidTokenError, JwksUnavailableError } from '../verify/errors';
import type { AccessTokenVerifier } from '../verify/verifier';

/** `ctx.state` on routes behind `requireAccessToken`. */
export interface AuthenticatedState extends RequestState {
  claims: VerifiedClaims;
}

/** RFC 6750 §2.1: `Bearer` then a b64token. The scheme is case-insensitive (RFC 9110 §11.1). */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** RFC 6750 §3: the challenge, with an error code only when credentials were sent. */
export function bearerChallenge(
  realm: string,
  error?: { code: string; description?: string; scope?: string },
): string {
  const parts = [`realm="${realm}"`];
  if (error !== undefined) {
    parts.push(`error="${error.code}"`);
    if (error.description !== undefined)
      parts.push(`error_description="${error.description.replace(/["\\]/g, '')}"`);
    if (error.scope !== undefined) parts.push(`scope="${error.scope}"`);
  }
  return `Bearer ${parts.join(', ')}`;
}

/**
 * Requires a valid access token in the Authorization header (RFC 6750 §2.1).
 * No credentials (or another scheme): 401 with a bare challenge. A token in
 * the query string, alone or beside a header: 400 `invalid_request`, since a
 * token in a URL ends up in logs. A bad token: 401 `invalid_token`. Keys
 * unobtainable: 503 with Retry-After.
 */
export function requireAccessToken(
  verifier: AccessTokenVerifier,
  realm: string,
): Middleware<AuthenticatedState> {
  return async function authenticate(ctx, next) {
    const header = ctx.get('authorization');
    if (ctx.query.access_token !== undefined) {
      throw new HttpProblem(
        'invalid_request',
        'send the access token in the Authorization header only',
        {
          headers: {
            'WWW-Authenticate': bearerChallenge(realm, {
              code: 'invalid_request',
              description: 'access tokens are not accepted in the query string',
            }),
          },
        },
      );
    }
    if (header === '' || !/^bearer(\s|$)/i.test(header)) {
      throw new HttpProblem(
        'missing_credentials',
        'send an access token as Authorization: Bearer <token>',
        {
          headers: { 'WWW-Authenticate': bearerChallenge(realm) },
        },
      );
    }
    const match = BEARER.exec(header);
    try {
      if (match === null)
        throw new InvalidTokenError('the Authorization header is not a Bearer token');
      ctx.state.claims = await verifier.verify(match[1] as string);
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        throw new HttpProblem('invalid_token', error.message, {
          headers: {
            'WWW-Authenticate': bearerChallenge(realm, {
              code: 'invalid_token',
              description: error.message,
            }),
          },
          cause: error,
        });
      }
      if (error instanceof JwksUnavailableError) {
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
