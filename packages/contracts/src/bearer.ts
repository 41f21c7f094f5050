/**
 * RFC 6750 bearer credentials: how a request carries its access token, and
 * the refusals when it does not carry one properly. Framework-free: the
 * Koa plumbing of the services and the verifier's adapters all read a
 * token through `bearerTokenOf`.
 */
import { AuthpairError } from './errors';

/** RFC 6750 §2.1: `Bearer` then a b64token. The scheme is case-insensitive (RFC 9110 §11.1). */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** Any credentials of the Bearer scheme, well formed or not. */
const BEARER_SCHEME = /^bearer(\s|$)/i;

/** The query parameter RFC 6750 §2.3 defines, and this project refuses. */
export const ACCESS_TOKEN_QUERY_PARAMETER = 'access_token';

/**
 * The bearer token of a request (RFC 6750 §2.1), from its `Authorization`
 * header (`undefined` or `''` when absent) and whether its query string
 * names `access_token`:
 *
 * - a token in the query string, alone or beside a header: 400
 *   `invalid_request`, since a token in a URL ends up in logs;
 * - no credentials (or another scheme): 401 `missing_credentials`, whose
 *   challenge carries no error code (§3.1);
 * - a header that is not a well-formed Bearer credential: 401 `invalid_token`.
 */
export function bearerTokenOf(authorization: string | undefined, tokenInQuery: boolean): string {
  if (tokenInQuery)
    throw new AuthpairError(
      'invalid_request',
      'send the access token in the Authorization header only, never in the query string',
    );
  if (authorization === undefined || authorization === '' || !BEARER_SCHEME.test(authorization))
    throw new AuthpairError(
      'missing_credentials',
      'send an access token as Authorization: Bearer <token>',
    );
  const match = BEARER.exec(authorization);
  if (match === null)
    throw new AuthpairError('invalid_token', 'the Authorization header is not a Bearer token');
  return match[1] as string;
}

/**
 * Whether a request target's query string names `access_token`, decoded as
 * a form would be (`access%5Ftoken` counts). Parsed only when there is a
 * query string at all.
 */
export function hasAccessTokenInQuery(target: string | undefined): boolean {
  if (target === undefined) return false;
  const start = target.indexOf('?');
  if (start === -1) return false;
  return new URLSearchParams(target.slice(start + 1)).has(ACCESS_TOKEN_QUERY_PARAMETER);
}

/**
 * A 403 `insufficient_scope` (RFC 6750 §3.1) naming the scope the request
 * needs, in the challenge's `scope` attribute and in the problem.
 */
export function insufficientScope(
  scope: string,
  description?: string,
): AuthpairError<'insufficient_scope'> {
  return new AuthpairError(
    'insufficient_scope',
    description ?? `this needs an access token with the ${scope} scope`,
    { scope },
  );
}
