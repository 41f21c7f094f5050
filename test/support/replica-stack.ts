import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ComposeResult, compose, docker } from './compose';
import { eventually } from './http';
import { freePort } from './ports';

/** The replicas compose file, relative to the repository root. */
export const REPLICAS_FILE = 'deploy/compose/replicas.yml';

const REUSE = process.env.AUTHPAIR_REPLICAS_REUSE === '1';

export type ReplicatedService = 'auth' | 'resource';

/** The port each service listens on inside its container. */
const SERVICE_PORT: Record<ReplicatedService, number> = { auth: 4000, resource: 4001 };

/** One running replica, as Docker sees it now (its host port changes when it restarts). */
export interface Replica {
  id: string;
  name: string;
  /** Its own published loopback port, to reach it without the balancer. */
  url: string;
  /** Its address on the stack's network: what the balancer logs as the server. */
  ip: string;
  startedAt: string;
  restartCount: number;
}

/** One server slot of a balancer backend, from HAProxy's CSV statistics. */
export interface BalancedServer {
  backend: string;
  server: string;
  /** `UP`, `DOWN`, `MAINT (resolution)` (an empty slot), `UP 1/2` while rising… */
  status: string;
  address: string;
}

interface InspectedContainer {
  Id: string;
  Name: string;
  RestartCount: number;
  State: { StartedAt: string; Running: boolean };
  NetworkSettings: {
    Ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null>;
    Networks: Record<string, { IPAddress: string }>;
  };
}

/**
 * A replicas stack (deploy/compose/replicas.yml) for one test file: its
 * own project name and published ports, the services' environment
 * overridden by a second compose file (environment maps merge by key;
 * only `ports` cannot be taken away), removed before and after.
 *
 * While working on a test, AUTHPAIR_REPLICAS_REUSE=1 keeps the stack (the
 * project is then `name`, without the process id) after the run and
 * attaches to it when it runs: `docker compose -p <name> -f … down -v`
 * removes it.
 */
export class ReplicaStack {
  readonly project: string;
  readonly env: Record<string, string> = {};
  authUrl = '';
  resourceUrl = '';
  private readonly files: string[];
  private readonly overrideFile: string;

  constructor(
    name: string,
    overrides: { auth: Record<string, string>; resource: Record<string, string> },
  ) {
    this.project = REUSE ? name : `${name}-${process.pid}`;
    // JSON is YAML: the override file needs no YAML writer.
    const overrideFile = join(tmpdir(), `${this.project}.override.yml`);
    this.overrideFile = overrideFile;
    writeFileSync(
      overrideFile,
      JSON.stringify({
        services: {
          auth: { environment: overrides.auth },
          resource: { environment: overrides.resource },
        },
      }),
    );
    this.files = [REPLICAS_FILE, overrideFile];
  }

  compose(args: string[], timeoutMs?: number): Promise<ComposeResult> {
    return compose(this.project, args, this.env, timeoutMs, this.files);
  }

  /** Builds the images and starts `auth` and `resource` replicas; resolves once the balancer has every one up. */
  async up(scale: Record<ReplicatedService, number>): Promise<void> {
    if (REUSE && (await this.replicas('auth')).length > 0) {
      const published = async (port: number) =>
        (await this.compose(['port', 'balancer', String(port)])).output.trim().split(':').pop();
      this.authUrl = `http://localhost:${await published(4000)}`;
      this.resourceUrl = `http://localhost:${await published(4001)}`;
      Object.assign(this.env, {
        AUTH_PORT: new URL(this.authUrl).port,
        RESOURCE_PORT: new URL(this.resourceUrl).port,
        JWT_ISSUER: this.authUrl,
      });
      return;
    }
    const [authPort, resourcePort] = [await freePort(), await freePort()];
    this.authUrl = `http://localhost:${authPort}`;
    this.resourceUrl = `http://localhost:${resourcePort}`;
    Object.assign(this.env, {
      AUTH_PORT: String(authPort),
      RESOURCE_PORT: String(resourcePort),
      JWT_ISSUER: this.authUrl,
    });
    await this.compose(['down', '-v', '--remove-orphans']);
    const built = await this.compose(['build'], 900_000);
    if (built.code !== 0) throw new Error(`docker compose build failed:\n${built.output}`);
    const up = await this.compose([
      'up',
      '-d',
      '--scale',
      `auth=${scale.auth}`,
      '--scale',
      `resource=${scale.resource}`,
    ]);
    if (up.code !== 0) throw new Error(`docker compose up failed:\n${up.output}`);
    try {
      await this.balanced('auth', scale.auth, 120_000);
      await this.balanced('resource', scale.resource, 120_000);
    } catch (error) {
      const logs = await this.compose(['logs', '--no-color', '--tail', '30']);
      throw new Error(`${(error as Error).message}\n${logs.output}`);
    }
  }

  /** Removes the stack, its volume and its override file (kept with AUTHPAIR_REPLICAS_REUSE=1). */
  async down(): Promise<void> {
    if (REUSE) return;
    await this.compose(['down', '-v', '--remove-orphans']);
    rmSync(this.overrideFile, { force: true });
  }

  /** The replicas of a service as they run now. */
  async replicas(service: ReplicatedService): Promise<Replica[]> {
    const ids = (await this.compose(['ps', '-q', service])).output.split('\n').filter(Boolean);
    if (ids.length === 0) return [];
    const inspected = await docker(['inspect', ...ids]);
    const containers = JSON.parse(inspected.output) as InspectedContainer[];
    return containers
      .filter((container) => container.State.Running)
      .map((container) => {
        const port = container.NetworkSettings.Ports[`${SERVICE_PORT[service]}/tcp`]?.[0];
        const network = Object.values(container.NetworkSettings.Networks)[0];
        return {
          id: container.Id,
          name: container.Name.replace(/^\//, ''),
          url: port === undefined ? '' : `http://127.0.0.1:${port.HostPort}`,
          ip: network?.IPAddress ?? '',
          startedAt: container.State.StartedAt,
          restartCount: container.RestartCount,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every server slot of the balancer's backends, from its statistics page. */
  async balancerServers(): Promise<BalancedServer[]> {
    const address = (await this.compose(['port', 'balancer', '8404'])).output.trim();
    const csv = await fetch(`http://${address}/;csv`, { signal: AbortSignal.timeout(2000) });
    const [header, ...rows] = (await csv.text()).split('\n').filter(Boolean);
    const columns = (header ?? '').replace(/^# /, '').split(',');
    const at = (name: string) => columns.indexOf(name);
    return rows
      .map((row) => row.split(','))
      .filter((cells) => !['FRONTEND', 'BACKEND'].includes(cells[at('svname')] ?? ''))
      .map((cells) => ({
        backend: cells[at('pxname')] ?? '',
        server: cells[at('svname')] ?? '',
        status: cells[at('status')] ?? '',
        address: cells[at('addr')] ?? '',
      }));
  }

  /**
   * Resolves once the balancer sends traffic to exactly `count` replicas of
   * `service`, each UP (and, for auth, its internal feed backend too).
   */
  async balanced(service: ReplicatedService, count: number, timeoutMs = 60_000): Promise<void> {
    const backends = service === 'auth' ? ['auth', 'auth-internal'] : ['resource'];
    await eventually(
      () => this.balancerServers().catch(() => [] as BalancedServer[]),
      (servers) =>
        backends.every((backend) => {
          const slots = servers.filter((server) => server.backend === backend);
          const up = slots.filter((server) => server.status === 'UP');
          const inUse = slots.filter((server) => !server.status.startsWith('MAINT'));
          return up.length === count && inUse.length === count;
        }),
      { timeoutMs, intervalMs: 250, what: `the balancer to route to ${count} ${service} replicas` },
    );
  }

  /** `auth-admin …` in the first auth replica, with `--json`; its parsed output. */
  // biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON documents are read by the assertions
  async authAdmin(args: string[]): Promise<any> {
    const result = await this.compose(['exec', '-T', 'auth', 'auth-admin', ...args, '--json']);
    // The document is printed indented, from a line `{` to a line `}`; anything else is a log line.
    const lines = result.output.split('\n');
    const start = lines.indexOf('{');
    const end = lines.indexOf('}', start);
    if (result.code !== 0 || start < 0 || end < 0)
      throw new Error(`auth-admin ${args.join(' ')} failed (${result.code}):\n${result.output}`);
    return JSON.parse(lines.slice(start, end + 1).join('\n'));
  }

  /** The balancer's access log (one line per request, with the X-Request-Id it captured). */
  async balancerLog(): Promise<string[]> {
    const logs = await this.compose(['logs', '--no-color', 'balancer']);
    return logs.output.split('\n');
  }
}
