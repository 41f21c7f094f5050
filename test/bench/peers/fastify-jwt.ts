// fastify + @fastify/jwt, configured the documented way: RS256 public keys
// from the JWKS, chosen by kid, issuer and audience checked. FASTIFY_LOGGER=1
// turns on Fastify's own logger at info, as a production service runs it: a
// line when each request comes in and one when it is answered.
import { createPublicKey } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import Fastify from 'fastify';
import { audience, fetchJwks, greeting, issuer, port } from './common';

async function main() {
  const pems = new Map<string, string>();
  for (const jwk of (await fetchJwks()).keys) {
    pems.set(
      jwk.kid,
      createPublicKey({ key: jwk as never, format: 'jwk' })
        .export({ type: 'spki', format: 'pem' })
        .toString(),
    );
  }
  const app = Fastify({ logger: process.env.FASTIFY_LOGGER === '1' ? { level: 'info' } : false });
  await app.register(fastifyJwt, {
    decode: { complete: true },
    secret: {
      private: 'unused',
      public: async (_request: unknown, token: unknown) => {
        const kid = (token as { header: { kid?: string } }).header.kid ?? '';
        const pem = pems.get(kid);
        if (pem === undefined) throw new Error('unknown kid');
        return pem;
      },
    },
    verify: { algorithms: ['RS256'], allowedIss: issuer, allowedAud: audience },
  });
  app.get('/protected', async (request, reply) => {
    try {
      const claims = (await request.jwtVerify()) as Record<string, unknown>;
      return { ...greeting(claims.username), claims };
    } catch {
      return reply.code(401).send();
    }
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.listen({ port, host: '127.0.0.1' });
}
void main();
