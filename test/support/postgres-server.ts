import { chmod, mkdtemp, rm } from 'node:fs/promises';
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

/** PostgreSQL in a container (testcontainers), the default when Docker answers. */
export async function startContainerPostgres(): Promise<TestPostgres> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(POSTGRES_IMAGE)
    .withUsername('postgres')
    .withPassword('postgres')
    .withDatabase('postgres')
    .start();
  return {
    url: container.getConnectionUri(),
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
export async function startTestPostgres(): Promise<TestPostgres> {
  const wanted =
    process.env.AUTHPAIR_TEST_DB ?? (dockerAvailable() ? 'testcontainers' : 'embedded');
  if (wanted === 'testcontainers') return startContainerPostgres();
  if (wanted === 'embedded') return startEmbeddedTestPostgres();
  throw new Error(`AUTHPAIR_TEST_DB must be testcontainers or embedded, not ${wanted}`);
}
