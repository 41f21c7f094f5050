import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';

// Three files start the same services: docker-compose.yml (one of each),
// deploy/compose/replicas.yml (many, behind HAProxy) and
// deploy/swarm/stack.yml (the same on Swarm). Compose cannot drop a port
// across -f files and Swarm cannot read the first file, so the environments
// are written out three times; these checks keep them in step.

const root = join(__dirname, '../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Service {
  image?: string;
  environment?: Record<string, string>;
  ports?: unknown[];
  depends_on?: unknown;
  volumes?: string[];
  deploy?: { replicas?: number; endpoint_mode?: string };
}
interface ComposeFile {
  version?: string;
  services: Record<string, Service>;
  configs?: Record<string, { file: string }>;
}

const load = (path: string) => parse(read(path)) as ComposeFile;
const base = load('docker-compose.yml');
const replicas = load('deploy/compose/replicas.yml');
const stack = load('deploy/swarm/stack.yml');

/** `${expr}`, as Compose writes an interpolation. */
const variable = (expr: string) => ['$', '{', expr, '}'].join('');

const environment = (file: ComposeFile, service: string) =>
  file.services[service]?.environment ?? {};

/** The variables a config module's `shape` reads (as the README test does). */
function readVariables(service: string): string[] {
  const source = read(`services/${service}/src/config.ts`);
  const start = source.indexOf('const shape = {');
  const shape = source.slice(start, source.indexOf('\n};', start));
  return [...shape.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((match) => match[1] as string);
}

/** What the replicas differ in, and why (docs/scaling-out.md). */
const BEHIND_THE_BALANCER: Record<string, Record<string, string>> = {
  auth: {
    // The balancer appends the client's address; the throttles must count clients.
    TRUST_PROXY: 'true',
    // The feed on a port only the balancer's internal frontend reaches.
    INTERNAL_PORT: '4100',
  },
  resource: {
    JWKS_URL: 'http://balancer:4000/.well-known/jwks.json',
    REVOCATION_FEED_URL: 'http://balancer:4100/internal/revocations',
  },
};

describe.each(['auth', 'resource'])('the %s environment', (service) => {
  it('is the single-instance one in the replicas file, but for what the balancer changes', () => {
    expect(environment(replicas, service)).toEqual({
      ...environment(base, service),
      ...BEHIND_THE_BALANCER[service],
    });
  });

  it('is the same in the Swarm stack file as in the replicas file', () => {
    expect(environment(stack, service)).toEqual(environment(replicas, service));
  });

  it('sets only variables the service reads', () => {
    const known = readVariables(service);
    for (const file of [base, replicas, stack])
      expect(
        Object.keys(environment(file, service)).filter((name) => !known.includes(name)),
      ).toEqual([]);
  });
});

describe('the replicas files', () => {
  it('publish fixed ports on the balancer only, replicas on ephemeral loopback ports', () => {
    expect(replicas.services.balancer?.ports).toEqual([
      `127.0.0.1:${variable('AUTH_PORT:-4000')}:4000`,
      `127.0.0.1:${variable('RESOURCE_PORT:-4001')}:4001`,
      '127.0.0.1::8404',
    ]);
    expect(replicas.services.auth?.ports).toEqual(['127.0.0.1::4000']);
    expect(replicas.services.resource?.ports).toEqual(['127.0.0.1::4001']);
  });

  it('take every image from a variable with the public image as default', () => {
    for (const file of [replicas, stack]) {
      expect(file.services.balancer?.image).toBe(variable('HAPROXY_IMAGE:-haproxy:2.9'));
      expect(file.services.postgres?.image).toBe(base.services.postgres?.image);
      for (const service of ['auth', 'resource'])
        expect(file.services[service]?.image).toBe(base.services[service]?.image);
    }
  });

  it('give both the one balancer configuration', () => {
    const mounted = replicas.services.balancer?.volumes?.[0]?.split(':')[0] ?? '';
    const configured = stack.configs?.haproxy?.file ?? '';
    const fromCompose = join(dirname('deploy/compose/replicas.yml'), mounted);
    const fromStack = join(dirname('deploy/swarm/stack.yml'), configured);
    expect(fromCompose).toBe('deploy/haproxy/haproxy.cfg');
    expect(fromStack).toBe(fromCompose);
    expect(existsSync(join(root, fromCompose))).toBe(true);
  });

  it('deploy on Swarm without IPVS: version 3.8, no depends_on, DNS round-robin, host-mode ports', () => {
    expect(stack.version).toBe('3.8');
    for (const [name, service] of Object.entries(stack.services)) {
      expect({ name, depends_on: service.depends_on }).toEqual({ name, depends_on: undefined });
      expect({ name, endpoint_mode: service.deploy?.endpoint_mode }).toEqual({
        name,
        endpoint_mode: 'dnsrr',
      });
    }
    expect(stack.services.auth?.deploy?.replicas).toBe(2);
    expect(stack.services.resource?.deploy?.replicas).toBe(3);
    expect(stack.services.balancer?.ports).toEqual([
      { target: 4000, published: variable('AUTH_PORT:-4000'), mode: 'host' },
      { target: 4001, published: variable('RESOURCE_PORT:-4001'), mode: 'host' },
    ]);
  });

  it('health-check /readyz from the balancer and keep /internal/ off its public frontend', () => {
    const config = read('deploy/haproxy/haproxy.cfg');
    expect(config.match(/http-check send meth GET uri \/readyz/g)).toHaveLength(3);
    expect(config).toContain('http-request deny deny_status 404 if { path_beg /internal/ }');
    expect(config).toContain('nameserver dns 127.0.0.11:53');
  });
});
