import { ADMIN_SCOPE, type AdminReportResponse } from '@authpair/contracts';
import type { RequestState } from '@authpair/service-kit';
import type { Verifier } from '@authpair/verifier';
import type { BearerState, KoaBearer } from '@authpair/verifier/koa';
import Router from '@koa/router';

/** `ctx.state` on the routes behind the bearer middleware. */
type ProtectedState = RequestState & BearerState;

/**
 * `GET /admin/reports`: the endpoint that needs a scope. Any valid token
 * gets past verification; only one carrying `admin` gets the report, the
 * rest a 403 `insufficient_scope` naming the scope.
 */
export function adminReportRoutes(bearer: KoaBearer, verifier: Verifier): Router<ProtectedState> {
  const router = new Router<ProtectedState>();
  router.get(
    '/admin/reports',
    bearer.authenticate,
    bearer.requireScope(ADMIN_SCOPE),
    function adminReport(ctx) {
      const { claims } = ctx.state;
      const lagMs = verifier.revocations?.lagMs() ?? Number.POSITIVE_INFINITY;
      const jwks = verifier.jwks.snapshot();
      const body: AdminReportResponse = {
        generated_at: new Date().toISOString(),
        requested_by: { sub: claims.sub, username: claims.username },
        jwks: { status: jwks.status, keys: jwks.keys, fetched_at: jwks.fetchedAt ?? null },
        revocations: {
          sessions: verifier.revocations?.size ?? 0,
          lag_seconds: Number.isFinite(lagMs) ? lagMs / 1000 : null,
        },
        verified_tokens: { cached: verifier.cache.size },
      };
      ctx.body = body;
    },
  );
  return router;
}
