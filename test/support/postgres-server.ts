import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../packages/local-stack/src/embedded-postgres';
import { dockerAvailable, POSTGRES_IMAGE } from './docker';
import { freePort } from './ports';

export { dockerAvailable, POSTGRES_IMAGE } from './docker';

/** A PostgreSQL server for one test run, and how to stop it. */
export interface TestPostgres {
  /** Superuser URL of the `postgres` database; tests create their own databases from it. */
  url: string;
  kind: 'testcontainers' | 'embedded';
  stop(): Promise<void>;
}

/** Whether a TCP connection to host:port opens within `timeoutMs`. */
function reachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

export interface ContainerPostgresOptions {
  /**
   * Reach the server at the container's own address on Docker's bridge
   * network, as a service on a Compose network does, instead of through the
   * published port. The published port goes through docker-proxy, a
   * userland forwarder that copies every byte: in the refresh benchmark it
   * took a quarter of a core and a hop per round trip. Falls back to the
   * published port where the bridge is not routable from here (Docker
   * Desktop).
   */
  direct?: boolean;
}

/** PostgreSQL in a container (testcontainers), the default when Docker answers. */
export async function startContainerPostgres(
  options: ContainerPostgresOptions = {},
): Promise<TestPostgres> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(POSTGRES_IMAGE)
    .withUsername('postgres')
    .withPassword('postgres')
    .withDatabase('postgres')
    .start();
  let url = container.getConnectionUri();
  if (options.direct === true) {
    let address = '';
    try {
      address = container.getIpAddress('bridge');
    } catch {
      // no network called `bridge` (Podman): the published port it is
    }
    if (address !== '' && (await reachable(address, 5432))) {
      const direct = new URL(url);
      direct.hostname = address;
      direct.port = '5432';
      url = direct.toString();
    }
  }
  return {
    url,
    kind: 'testcontainers',
    stop: async () => {
      await container.stop();
    },
  };
}

/** PostgreSQL from the embedded-postgres binaries, for machines without Docker. */
export async function startEmbeddedTestPostgres(): Promise<TestPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'authpair-pg-'));
  // mkdtemp makes the folder 0700; under root, PostgreSQL runs as its own user and must reach it.
  await chmod(dir, 0o755);
  const server = await startEmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port: await freePort(),
    persistent: false,
  });
  return {
    url: server.url,
    kind: 'embedded',
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The run's PostgreSQL: `AUTHPAIR_TEST_DB=testcontainers|embedded` picks;
 * unset, testcontainers when Docker answers, else embedded.
 */
export async function startTestPostgres(
  options: ContainerPostgresOptions = {},
): Promise<TestPostgres> {
  const wanted =
    process.env.AUTHPAIR_TEST_DB ?? (dockerAvailable() ? 'testcontainers' : 'embedded');
  if (wanted === 'testcontainers') return startContainerPostgres(options);
  if (wanted === 'embedded') return startEmbeddedTestPostgres();
  throw new Error(`AUTHPAIR_TEST_DB must be testcontainers or embedded, not ${wanted}`);
}
