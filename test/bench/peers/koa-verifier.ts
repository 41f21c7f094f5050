// Koa + @koa/router + @authpair/verifier's Koa middleware, as its README adds it.
import { type BearerState, koaBearer } from '@authpair/verifier/koa';
import Router from '@koa/router';
import Koa from 'koa';
import { greeting, port } from './common';
import { benchVerifier } from './verifier-options';

async function main() {
  const verifier = benchVerifier();
  await verifier.ready();
  const bearer = koaBearer(verifier);
  const router = new Router<BearerState>();
  router.get('/protected', bearer.authenticate, (ctx) => {
    const { claims } = ctx.state;
    ctx.body = { ...greeting(claims.username), claims };
  });
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  const app = new Koa<BearerState>();
  app.use(router.routes());
  app.listen(port, '127.0.0.1');
}
void main();
