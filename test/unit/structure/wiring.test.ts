import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthService, loadAuthConfig } from '@authpair/auth';
import { createResourceService, loadResourceConfig } from '@authpair/resource';
import { createLogger, runStartup } from '@authpair/service-kit';
import { createWebService, loadWebConfig } from '@authpair/web';

// The composition roots (services/*/src/app.ts) only build objects: no
// connection, thread, timer or file read until the `startup` steps run
// (start.ts runs them, in order, logging each). So a test can wire a
// service as production does, serve requests with `app.callback()`, and
// start only what it needs.

const silent = createLogger({ service: 'test', level: 'silent' });
const SECRET = 'unit-test-secret-0123456789abcdef-0123';

/** A loopback server counting the requests it gets (the "auth service" the others would call). */
async function countingServer(): Promise<{ server: Server; url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests += 1;
    res.statusCode = 503;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, requests: () => requests };
}

describe('wiring a service, without starting it', () => {
  it('builds auth without touching its database, and lists the start-up steps in order', async () => {
    // Nothing listens on port 1: a connection attempt would fail the readiness check below.
    const service = createAuthService(
      loadAuthConfig({
        DATABASE_URL: 'postgres://nobody:nothing@127.0.0.1:1/none',
        PASSWORD_PEPPER: SECRET,
        KEY_ENCRYPTION_KEYS: 'test:Fj3Jj1c1SZ5cp3mVCOc6aV6Pa3eu8gYbO13H6q7Uqks=',
        REVOCATION_FEED_TOKEN: SECRET,
        REFRESH_TOKEN_SECRET: SECRET,
      }),
      silent,
    );
    try {
      expect(service.startup.map((step) => step.name)).toEqual([
        'passwords ready',
        'database reachable',
        'migrated',
        'keys loaded',
        'timers started',
      ]);
      expect(service.pool.totalCount).toBe(0);
      const response = await fetchFrom(service.app.callback(), '/healthz');
      expect(response.status).toBe(200);
      expect(service.pool.totalCount).toBe(0);
    } finally {
      await service.close();
    }
  });

  it('builds the resource service without fetching the JWKS or the feed until it starts', async () => {
    const auth = await countingServer();
    try {
      const service = createResourceService(
        loadResourceConfig({
          JWKS_URL: `${auth.url}/.well-known/jwks.json`,
          REVOCATION_FEED_TOKEN: SECRET,
        }),
        silent,
      );
      expect(service.startup.map((step) => step.name)).toEqual(['keys and revocations read']);
      expect(auth.requests()).toBe(0);
      await runStartup(service.startup, silent);
      expect(auth.requests()).toBeGreaterThanOrEqual(2); // the JWKS and the feed, each tried
      await service.close();
    } finally {
      auth.server.close();
    }
  });

  it('builds the web app without reading its page until it starts', async () => {
    const page = { 'index.html': '<p>{{RESOURCE_URL}}</p>', 'app.js': '', 'app.css': '' };
    const service = createWebService(loadWebConfig({}), silent, { page });
    expect(service.startup.map((step) => step.name)).toEqual(['page read']);
    expect((await fetchFrom(service.app.callback(), '/')).status).toBe(500);
    await runStartup(service.startup, silent);
    const served = await fetchFrom(service.app.callback(), '/');
    expect(served.status).toBe(200);
    expect(served.text).toContain('http://localhost:4001');
    await service.close();
  });
});

/** One GET to a request listener on an ephemeral loopback port. */
async function fetchFrom(
  listener: RequestListener,
  path: string,
): Promise<{ status: number; text: string }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: response.status, text: await response.text() };
  } finally {
    server.close();
  }
}
