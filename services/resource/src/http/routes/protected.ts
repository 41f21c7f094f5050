import type { ProtectedResponse } from '@authpair/contracts';
import type { RequestState } from '@authpair/service-kit';
import type { BearerState, KoaBearer } from '@authpair/verifier/koa';
import Router from '@koa/router';

/** `ctx.state` on the routes behind the bearer middleware. */
type ProtectedState = RequestState & BearerState;

/** `GET /protected`: the endpoint the product started from. */
export function protectedRoutes(bearer: KoaBearer): Router<ProtectedState> {
  const router = new Router<ProtectedState>();
  router.get('/protected', bearer.authenticate, function greet(ctx) {
    const { claims } = ctx.state;
    const body: ProtectedResponse = {
      message: `Hello, ${claims.username}! This is a protected resource.`,
      claims,
    };
    ctx.body = body;
  });
  return router;
}
