import type { ServerResponse } from 'node:http';
import {
  type AccessTokenClaims,
  type AuthpairError,
  hasScope,
  insufficientScope,
  problemResponse,
} from '@authpair/contracts';

/**
 * The path of a request target, without its query string (which may hold a
 * token), as Koa's `ctx.path` reads it: an absolute-form target
 * (`GET http://host/x`, RFC 9112 §3.2.2) gives its path alone, never the
 * scheme, host or userinfo the client wrote.
 */
export function pathOf(target: string | undefined): string {
  if (target === undefined) return '/';
  const end = target.search(/[?#]/);
  const path = end === -1 ? target : target.slice(0, end);
  if (path.startsWith('/')) return path;
  try {
    return new URL(path).pathname;
  } catch {
    return '/';
  }
}

/**
 * Writes an error as the resource service answers it: status, RFC 6750
 * `WWW-Authenticate` for `realm`, `Retry-After` when retryable,
 * `Cache-Control: no-store` and an `application/problem+json` body
 * (`problemResponse` in `@authpair/contracts` decides each). For node:http
 * servers, and the Express adapter (an Express response is one).
 */
export function writeProblem(
  res: ServerResponse,
  error: AuthpairError,
  { realm, instance }: { realm: string; instance: string },
): void {
  const answer = problemResponse(error, { realm, instance });
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.end(JSON.stringify(answer.body));
}

/**
 * The `requireScope` step of every adapter: the token's `scope` claim
 * (RFC 9068 §2.2.3) must include `scope`, else 403 `insufficient_scope`
 * with a challenge naming it (RFC 6750 §3.1). A token without the scope is
 * valid, just not for this, so it is never a 401.
 */
export function checkScope(
  claims: Readonly<AccessTokenClaims> | null | undefined,
  scope: string,
): void {
  // A programming error, not the client's: the route forgot to authenticate first.
  if (claims == null) throw new Error('requireScope() must come after authenticate');
  if (!hasScope(claims.scope, scope)) throw insufficientScope(scope);
}
