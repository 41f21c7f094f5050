import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifierOptionsOf } from '@authpair/resource';
import { createVerifier, type Verifier } from '@authpair/verifier';
import { expressApp } from '../../packages/verifier/examples/express';
import { fastifyApp } from '../../packages/verifier/examples/fastify';
import { koaApp } from '../../packages/verifier/examples/koa';
import { nodeHttpServer } from '../../packages/verifier/examples/node-http';
import type { AttackTarget } from './attack-target';
import { request } from './http';
import { resourceConfig } from './services';
import { TestIssuer } from './test-issuer';

/** The frameworks @authpair/verifier serves, each through its example app. */
export const FRAMEWORKS = ['koa', 'express', 'fastify', 'node-http'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

interface Listening {
  url: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(framework: Framework, verifier: Verifier): Promise<Listening> {
  switch (framework) {
    case 'koa':
      return listen(createServer(koaApp(verifier).callback()));
    case 'express':
      return listen(createServer(expressApp(verifier)));
    case 'node-http':
      return listen(nodeHttpServer(verifier));
    case 'fastify': {
      const app = await fastifyApp(verifier);
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      return { url, close: () => app.close() };
    }
  }
}

/**
 * The attack target of test/security, served by a framework's example app
 * on @authpair/verifier instead of the resource service, with the settings
 * the resource service would run with for `env` (the same variables).
 */
export async function startAdapterTarget(
  framework: Framework,
  env: Record<string, string> = {},
): Promise<AttackTarget> {
  const issuer = await new TestIssuer().start();
  const verifier = createVerifier(
    verifierOptionsOf(resourceConfig(issuer.url, { JWKS_URL: issuer.jwksUrl, ...env })),
  );
  await verifier.ready();
  const server = await serve(framework, verifier);
  const get = (headers: Record<string, string>, query = '') =>
    request(`${server.url}/protected${query}`, { headers });
  return {
    issuer,
    resource: { url: server.url },
    get,
    bearer: (token) => get({ authorization: `Bearer ${token}` }),
    async stop() {
      await server.close();
      await verifier.close();
      await issuer.stop();
    },
  };
}

/**
 * Registers the hostile-token cases of test/security, unchanged, against
 * `framework`'s app: the three files are loaded with `startAttackTarget`
 * swapped for this one, each in a describe block of its own.
 */
export function hostileTokenCasesAgainst(framework: Framework): void {
  jest.doMock('./attack-target', () => ({
    startAttackTarget: (env?: Record<string, string>) => startAdapterTarget(framework, env),
  }));
  for (const file of ['token-forgery', 'token-claims', 'bearer-transport']) {
    describe(`${file}.test.ts`, () => {
      require(`../security/${file}.test`);
    });
  }
}
