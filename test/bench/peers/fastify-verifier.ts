// Fastify + @authpair/verifier's plugin (logger off, as the @fastify/jwt peer it is compared with).
import type { AccessTokenClaims } from '@authpair/verifier';
import { fastifyBearer } from '@authpair/verifier/fastify';
import Fastify from 'fastify';
import { greeting, port } from './common';
import { benchVerifier } from './verifier-options';

async function main() {
  const verifier = benchVerifier();
  await verifier.ready();
  const app = Fastify({ logger: false });
  await app.register(fastifyBearer, { verifier });
  app.get('/protected', { onRequest: [app.authpair.authenticate] }, async (request) => {
    // Typed as @fastify/jwt's too when both plugins' types are in one program (the test typecheck).
    const claims = request.user as Readonly<AccessTokenClaims> | null;
    return { ...greeting(claims?.username), claims };
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.listen({ port, host: '127.0.0.1' });
}
void main();
