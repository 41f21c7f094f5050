import type { ProtectedResponse } from '@authpair/contracts';
import Router from '@koa/router';
import type { AccessTokenVerifier } from '../../verify/verifier';
import { type AuthenticatedState, requireAccessToken } from '../bearer';

/** `GET /protected`: the endpoint the product started from. */
export function protectedRoutes(
  verifier: AccessTokenVerifier,
  realm: string,
): Router<AuthenticatedState> {
  const router = new Router<AuthenticatedState>();
  router.get('/protected', requireAccessToken(verifier, realm), function greet(ctx) {
    const { claims } = ctx.state;
    const body: ProtectedResponse = {
      message: `Hello, ${claims.username}! This is a protected resource.`,
      claims,
    };
    ctx.body = body;
  });
  return router;
}
