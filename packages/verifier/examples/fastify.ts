/**
 * A Fastify app on @authpair/verifier's plugin: `/protected` needs a
 * valid token of a live session, `/admin/reports` also the `admin` scope.
 * The claims are on `request.user`, as with @fastify/jwt.
 *
 *     const verifier = createVerifier({ issuer, audience, jwksUrl, revocation: { token } });
 *     await (await fastifyApp(verifier)).listen({ port: 3000 });
 */
import type { AccessTokenClaims, Verifier } from '@authpair/verifier';
import { fastifyBearer } from '@authpair/verifier/fastify';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';

export async function fastifyApp(verifier: Verifier): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(fastifyBearer, { verifier });
  const { authenticate, requireScope } = app.authpair;
  // Behind `authenticate`, `request.user` is set (it is null only on routes without it).
  const claimsOf = (request: FastifyRequest) => request.user as Readonly<AccessTokenClaims>;
  app.get('/protected', { onRequest: [authenticate] }, async (request) => {
    const claims = claimsOf(request);
    return { message: `Hello, ${claims.username}! This is a protected resource.`, claims };
  });
  app.get(
    '/admin/reports',
    { onRequest: [authenticate, requireScope('admin')] },
    async (request) => ({ requested_by: claimsOf(request).sub }),
  );
  return app;
}
