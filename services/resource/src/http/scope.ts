import { hasScope } from '@authpair/contracts';
import { insufficientScope } from '@authpair/service-kit';
import type { Middleware } from 'koa';
import type { AuthenticatedState } from './bearer';

/**
 * Behind the verification and revocation steps: the token's `scope` claim
 * (RFC 9068 §2.2.3) must include `scope`, else 403 `insufficient_scope`
 * with a challenge naming it (RFC 6750 §3.1). A token without the scope is
 * valid, just not for this, so it is never a 401.
 */
export function requireScope(scope: string): Middleware<AuthenticatedState> {
  return async function checkScope(ctx, next) {
    if (!hasScope(ctx.state.claims.scope, scope)) throw insufficientScope(scope);
    await next();
  };
}
