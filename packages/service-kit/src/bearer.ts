import type { Context } from 'koa';
import { HttpProblem } from './problem';

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

/** A 401 `invalid_token` with its RFC 6750 challenge; the description is shown to the client. */
export function invalidTokenProblem(realm: string, description: string, cause?: unknown) {
  return new HttpProblem('invalid_token', description, {
    headers: {
      'WWW-Authenticate': bearerChallenge(realm, { code: 'invalid_token', description }),
    },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * The bearer token of a request (RFC 6750 §2.1), or the problem to answer
 * with. No credentials (or another scheme): 401 with a bare challenge. A
 * token in the query string, alone or beside a header: 400
 * `invalid_request`, since a token in a URL ends up in logs. A header that
 * is not a well-formed Bearer credential: 401 `invalid_token`.
 */
export function readBearerToken(ctx: Pick<Context, 'get' | 'query'>, realm: string): string {
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
  const header = ctx.get('authorization');
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
  if (match === null)
    throw invalidTokenProblem(realm, 'the Authorization header is not a Bearer token');
  return match[1] as string;
}

/**
 * A 403 `insufficient_scope` (RFC 6750 §3.1) naming the scope the request
 * needs, in the challenge's `scope` attribute and in the problem.
 */
export function insufficientScopeProblem(realm: string, scope: string, description?: string) {
  const detail = description ?? `this needs an access token with the ${scope} scope`;
  return new HttpProblem('insufficient_scope', detail, {
    headers: {
      'WWW-Authenticate': bearerChallenge(realm, {
        code: 'insufficient_scope',
        description: detail,
        scope,
      }),
    },
  });
}
