import { AuthpairError } from '@authpair/contracts';
import type { Context } from 'koa';
import type { RequestState } from './request-context';

/** RFC 6750 §2.1: `Bearer` then a b64token. The scheme is case-insensitive (RFC 9110 §11.1). */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** What `readBearerToken` needs of a Koa context. */
export type BearerContext = Pick<Context, 'get' | 'query'> & {
  state: Pick<RequestState, 'bearerRealm'>;
};

/**
 * The bearer token of a request (RFC 6750 §2.1). It marks the route as
 * protected in `realm`, so that every error after this point that has a
 * challenge in the catalogue is answered with `WWW-Authenticate`.
 *
 * - No credentials (or another scheme): 401 `missing_credentials`, whose
 *   challenge carries no error code (§3.1).
 * - A token in the query string, alone or beside a header: 400
 *   `invalid_request`, since a token in a URL ends up in logs.
 * - A header that is not a well-formed Bearer credential: 401 `invalid_token`.
 */
export function readBearerToken(ctx: BearerContext, realm: string): string {
  ctx.state.bearerRealm = realm;
  if (ctx.query.access_token !== undefined)
    throw new AuthpairError(
      'invalid_request',
      'send the access token in the Authorization header only, never in the query string',
    );
  const header = ctx.get('authorization');
  if (header === '' || !/^bearer(\s|$)/i.test(header))
    throw new AuthpairError(
      'missing_credentials',
      'send an access token as Authorization: Bearer <token>',
    );
  const match = BEARER.exec(header);
  if (match === null)
    throw new AuthpairError('invalid_token', 'the Authorization header is not a Bearer token');
  return match[1] as string;
}

/**
 * A 403 `insufficient_scope` (RFC 6750 §3.1) naming the scope the request
 * needs, in the challenge's `scope` attribute and in the problem.
 */
export function insufficientScope(scope: string, description?: string): AuthpairError {
  return new AuthpairError(
    'insufficient_scope',
    description ?? `this needs an access token with the ${scope} scope`,
    { scope },
  );
}
