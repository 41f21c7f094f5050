import { ADMIN_SCOPE, type AdminReportResponse } from '@authpair/contracts';
import Router from '@koa/router';
import type { JwksCache } from '../../verify/jwks-cache';
import { type AuthenticatedDeps, authenticated } from '../authenticated';
import type { AuthenticatedState } from '../bearer';
import { requireScope } from '../scope';

/**
 * `GET /admin/reports`: the endpoint that needs a scope. Any valid token
 * gets past verification; only one carrying `admin` gets the report, the
 * rest a 403 `insufficient_scope` naming the scope.
 */
export function adminReportRoutes(
  deps: AuthenticatedDeps & { jwks: JwksCache },
): Router<AuthenticatedState> {
  const router = new Router<AuthenticatedState>();
  router.get(
    '/admin/reports',
    ...authenticated(deps),
    requireScope(ADMIN_SCOPE),
    function adminReport(ctx) {
      const { claims } = ctx.state;
      const lagMs = deps.revocations.lagMs();
      const jwks = deps.jwks.snapshot();
      const body: AdminReportResponse = {
        generated_at: new Date().toISOString(),
        requested_by: { sub: claims.sub, username: claims.username },
        jwks: { status: jwks.status, keys: jwks.keys, fetched_at: jwks.fetchedAt ?? null },
        revocations: {
          sessions: deps.revocations.size,
          lag_seconds: Number.isFinite(lagMs) ? lagMs / 1000 : null,
        },
        verified_tokens: { cached: deps.verifier.cache.size },
      };
      ctx.body = body;
    },
  );
  return router;
}
