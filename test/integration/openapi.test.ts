import { createHash } from 'node:crypto';
import { get } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { apiReferenceBundle, DOCS_CONTENT_SECURITY_POLICY } from '@authpair/service-kit';
import { Validator } from '@seriousme/openapi-schema-validator';
import type Koa from 'koa';
import { request } from '../support/http';
import { type RunningPair, useServices } from '../support/services';

/**
 * The OpenAPI documents: valid OpenAPI 3.1, and the same set of operations
 * as the routers serve, both ways, so neither can drift from the other.
 */
const services = useServices({ auth: false });
let pair: RunningPair;
let separateMetrics: RunningPair;

beforeAll(async () => {
  pair = await services.startPair();
  const metricsPort = { METRICS_PORT: '0' };
  separateMetrics = await services.startPair({ auth: metricsPort, resource: metricsPort });
});

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

interface RouterLike {
  stack: Array<{ path: string | RegExp; methods: string[] }>;
}

/** `METHOD /path` of every route the app's routers register, in OpenAPI path form. */
function routesOf(app: Koa): string[] {
  const routes = new Set<string>();
  for (const middleware of app.middleware) {
    const router = (middleware as { router?: RouterLike }).router;
    for (const layer of router?.stack ?? []) {
      if (typeof layer.path !== 'string') continue;
      const path = layer.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      // HEAD comes with every GET; `use()` layers have no methods.
      for (const method of layer.methods.filter((name) => name !== 'HEAD'))
        routes.add(`${method} ${path}`);
    }
  }
  return [...routes].sort();
}

/** `METHOD /path` of every operation in a document. */
function operationsOf(document: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => HTTP_METHODS.includes(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    )
    .sort();
}

describe.each([
  ['auth', () => pair.auth],
  ['resource', () => pair.resource],
])('the %s service document', (_name, service) => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const response = await request(`${service().url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.body.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(response.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents exactly the routes the routers register', async () => {
    const document = (await request(`${service().url}/openapi.json`)).body;
    const routes = routesOf(service().app);
    expect(routes.length).toBeGreaterThan(4);
    expect(operationsOf(document)).toEqual(routes);
  });

  it('gives every documented schema reference a target', async () => {
    const document = (await request(`${service().url}/openapi.json`)).body;
    const refs = [
      ...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g),
    ];
    expect(refs.length).toBeGreaterThan(0);
    for (const [, name] of refs) expect(Object.keys(document.components.schemas)).toContain(name);
  });
});

describe('with METRICS_PORT', () => {
  it('documents and routes /metrics on neither service’s public port', async () => {
    for (const service of [separateMetrics.auth, separateMetrics.resource]) {
      const document = (await request(`${service.url}/openapi.json`)).body;
      expect(operationsOf(document)).not.toContain('GET /metrics');
      expect(operationsOf(document)).toEqual(routesOf(service.app));
    }
  });
});

describe('the /docs page', () => {
  it('loads the viewer from this origin with its integrity hash, under a policy allowing only this origin', async () => {
    const viewer = apiReferenceBundle();
    if (viewer === null) throw new Error('the viewer was not vendored: npm ci runs the script');
    for (const service of [pair.auth, pair.resource]) {
      const page = await request(`${service.url}/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toBe(DOCS_CONTENT_SECURITY_POLICY);
      expect(csp).toContain("script-src 'self';");
      expect(csp).not.toMatch(/https?:|\*|'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      const scripts = [...page.text.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag);
      expect(scripts).toEqual([
        expect.stringContaining('data-url="./openapi.json"'),
        `<script src="./docs/api-reference.js?v=${viewer.version}" integrity="${viewer.integrity}">`,
      ]);
      // No inline code: the configuration script has no body to run.
      expect(page.text).toMatch(/<script id="api-reference"[^>]*><\/script>/);
      expect(page.text).not.toMatch(/https?:\/\//);
    }
  });

  it('serves the viewer itself: the vendored bytes, immutable per version, gzipped when accepted', async () => {
    const viewer = apiReferenceBundle();
    if (viewer === null) throw new Error('the viewer was not vendored: npm ci runs the script');
    const url = `${pair.auth.url}/docs/api-reference.js?v=${viewer.version}`;
    const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const bytes = Buffer.from(await plain.arrayBuffer());
    expect(`sha384-${createHash('sha384').update(bytes).digest('base64')}`).toBe(viewer.integrity);
    const compressed = await rawGet(url, { 'accept-encoding': 'gzip' });
    expect(compressed.headers['content-encoding']).toBe('gzip');
    expect(compressed.body.length).toBeLessThan(bytes.length / 2);
    expect(gunzipSync(compressed.body).equals(bytes)).toBe(true);
  });
});

/** A GET whose body is read as sent (fetch would inflate it). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    }).on('error', reject);
  });
}
