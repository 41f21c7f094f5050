/**
 * A Koa app on @authpair/verifier: `/protected` needs a valid token of a
 * live session, `/admin/reports` also the `admin` scope. Errors are
 * answered by the middleware, as the authpair resource service answers.
 *
 *     const verifier = createVerifier({ issuer, audience, jwksUrl, revocation: { token } });
 *     koaApp(verifier).listen(3000);
 */
import type { Verifier } from '@authpair/verifier';
import { type BearerState, koaBearer } from '@authpair/verifier/koa';
import Router from '@koa/router';
import Koa from 'koa';

export function koaApp(verifier: Verifier): Koa<BearerState> {
  const bearer = koaBearer(verifier);
  const router = new Router<BearerState>();
  router.get('/protected', bearer.authenticate, (ctx) => {
    const { claims } = ctx.state;
    ctx.body = { message: `Hello, ${claims.username}! This is a protected resource.`, claims };
  });
  router.get('/admin/reports', bearer.authenticate, bearer.requireScope('admin'), (ctx) => {
    ctx.body = { requested_by: ctx.state.claims.sub };
  });
  const app = new Koa<BearerState>();
  app.use(router.routes());
  return app;
}
