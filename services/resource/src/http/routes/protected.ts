import type { ProtectedResponse } from '@authpair/contracts';
import Router from '@koa/router';
import { type AuthenticatedDeps, authenticated } from '../authenticated';
import type { AuthenticatedState } from '../bearer';

export type ProtectedRouteDeps = AuthenticatedDeps;

/** `GET /protected`: the endpoint the product started from. */
export function protectedRoutes(deps: ProtectedRouteDeps): Router<AuthenticatedState> {
  const router = new Router<AuthenticatedState>();
  router.get('/protected', ...authenticated(deps), function greet(ctx) {
    const { claims } = ctx.state;
    const body: ProtectedResponse = {
      message: `Hello, ${claims.username}! This is a protected resource.`,
      claims,
    };
    ctx.body = body;
  });
  return router;
}
