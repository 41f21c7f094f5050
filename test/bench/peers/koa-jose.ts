// The minimal Koa + jose reference: the same checks as the resource service
// (RS256 only, typ, iss, aud, exp/iat, max age) against a local JWKS, and nothing else.
import Router from '@koa/router';
import { createLocalJWKSet, jwtVerify } from 'jose';
import Koa from 'koa';
import { audience, fetchJwks, greeting, issuer, port } from './common';

async function main() {
  const keys = createLocalJWKSet(await fetchJwks());
  const app = new Koa();
  const router = new Router();
  router.get('/protected', async (ctx) => {
    const token = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1];
    if (token === undefined) {
      ctx.status = 401;
      return;
    }
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: ['RS256'],
        typ: 'at+jwt',
        issuer,
        audience,
        clockTolerance: 5,
        maxTokenAge: 3600,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      });
      ctx.body = { ...greeting(payload.username), claims: payload };
    } catch {
      ctx.status = 401;
    }
  });
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  app.use(router.routes());
  app.listen(port, '127.0.0.1');
}
void main();
