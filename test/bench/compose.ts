import { spawn, spawnSync } from 'node:child_process';
import { freePort } from '../support/ports';
import { FLOOD_USERS, floodRows, floodWithProbe, registerUsers } from './auth-loads';
import { peakRssMb, ROOT, waitFor } from './process';
import type { AuthRow } from './report';
import type { Settings } from './settings';

/**
 * The same login flood and /healthz probe against the auth service in
 * Compose: the repository's docker-compose.yml (its PostgreSQL and the auth
 * image built from this checkout) plus test/bench/compose.bench.yml, which
 * lifts only the address throttles. A project of its own, images tagged
 * `bench`, torn down afterwards. The resource service is not started.
 */

const DEPLOYMENT = 'Compose';

function notMeasured(settings: Settings, why: string): AuthRow[] {
  return [
    `POST /login flood (bcrypt cost ${settings.bcryptCost})`,
    'GET /healthz during the login flood',
  ].map((load) => ({
    deployment: DEPLOYMENT,
    load,
    measured: false,
    rps: Number.NaN,
    p50: Number.NaN,
    p99: Number.NaN,
    failures: 0,
    peakRssMb: Number.NaN,
    note: why,
  }));
}

function compose(
  project: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'docker',
      [
        'compose',
        '-p',
        project,
        '-f',
        'docker-compose.yml',
        '-f',
        'test/bench/compose.bench.yml',
        ...args,
      ],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve();
      else {
        log(`docker compose ${args.join(' ')} failed:\n${output}`);
        reject(new Error(`docker compose ${args[0]} exited with ${code}`));
      }
    });
  });
}

/** Host pid of the auth container's process (node is its pid 1), for its peak RSS. */
function authPid(project: string, env: NodeJS.ProcessEnv): number | undefined {
  const id = spawnSync(
    'docker',
    [
      'compose',
      '-p',
      project,
      '-f',
      'docker-compose.yml',
      '-f',
      'test/bench/compose.bench.yml',
      'ps',
      '-q',
      'auth',
    ],
    { cwd: ROOT, env, encoding: 'utf8' },
  ).stdout.trim();
  if (id === '') return undefined;
  const pid = Number(
    spawnSync('docker', ['inspect', '-f', '{{.State.Pid}}', id], {
      encoding: 'utf8',
    }).stdout.trim(),
  );
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export async function composeLoads({
  settings,
  log,
}: {
  settings: Settings;
  log: (message: string) => void;
}): Promise<AuthRow[]> {
  if (spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 15_000 }).status !== 0) {
    log('Compose: no Docker engine answers `docker info`; not measured');
    return notMeasured(settings, 'no Docker engine here');
  }
  const project = `authpair-bench-${process.pid}`;
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Its own image tag, so this build never retags another checkout's images.
    AUTHPAIR_IMAGE_TAG: 'bench',
    AUTH_PORT: String(port),
    RESOURCE_PORT: String(await freePort()),
    BCRYPT_COST: String(settings.bcryptCost),
  };
  const down = () =>
    compose(project, ['down', '-v', '--remove-orphans'], env, log).catch(() => undefined);
  try {
    log(`Compose: building and starting postgres + auth (project ${project}, tag bench)`);
    await compose(project, ['up', '-d', '--build', 'auth'], env, log);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(`${url}/readyz`, 180_000);
    const users = await registerUsers(url, 'flood', FLOOD_USERS);
    const result = await floodWithProbe(url, settings, users);
    const pid = authPid(project, env);
    const rss = pid === undefined ? Number.NaN : peakRssMb(pid);
    log(
      `Compose: login flood ${result.flood.rps.toFixed(2)}/s, /healthz p99 ${result.health.p99.toFixed(1)} ms`,
    );
    return floodRows(DEPLOYMENT, settings, result, rss, {
      health: 'through the published port (docker-proxy), as a host-side balancer would probe it',
    });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    log(`Compose: not measured: ${why}`);
    return notMeasured(settings, `not measured: ${why}`);
  } finally {
    await down();
  }
}
