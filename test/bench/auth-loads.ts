import { generateKeyPairSync } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { SignJWT } from 'jose';
import { freePort } from '../support/ports';
import { TEST_KEK, TEST_PEPPER, TEST_REFRESH_TOKEN_SECRET } from '../support/services';
import { type LoadResult, median, runChains, runLoad, runProbe } from './load';
import { perOperation, type StatementRow, settled, startBenchPostgres } from './postgres';
import { type ServerProcess, startServer, waitFor } from './process';
import type { AuthRow, DatabaseCost, Report, Target } from './report';
import type { Settings } from './settings';
import { CORES } from './system';

/**
 * The auth service's rows, in `npm start`'s configuration: the local-stack
 * process (auth and resource in one process, as `npm start` runs them) on
 * the embedded PostgreSQL, with the defaults except the address throttles,
 * which the flood would otherwise hit from its one address. Nothing pinned:
 * the hashing pool takes every core, as it does on a developer's machine.
 */

type Draft = Omit<Target, 'status' | 'previous'>;

/** prom-client's default event-loop sampling interval (eventLoopMonitoringPrecision). */
const EVENT_LOOP_SAMPLING_MS = 10;

/** The throttles a flood from one address would hit; they are not what is measured. */
export const FLOOD_ENV = {
  REGISTRATION_ADDRESS_MAX: '1000000',
  LOGIN_ADDRESS_MAX_FAILURES: '1000000',
};

export const FLOOD_USERS = 20;

/** Single-thread bcryptjs compares per second at `cost`, measured here. */
function bcryptComparesPerSecond(cost: number, seconds: number): number {
  const hash = bcrypt.hashSync('benchmark password', cost);
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < seconds * 1000) {
    bcrypt.compareSync('benchmark password', hash);
    count += 1;
  }
  return count / ((performance.now() - started) / 1000);
}

/** jose RS256 signatures per second on one core, measured here (the refresh reference). */
async function joseSignsPerSecond(seconds: number): Promise<number> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < seconds * 1000) {
    await new SignJWT({ sub: 'x', n: count })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'k' })
      .sign(privateKey);
    count += 1;
  }
  return count / ((performance.now() - started) / 1000);
}

const post = (url: string, body: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Registers `count` users named `${prefix}_<i>`; returns their login bodies. */
export async function registerUsers(
  authUrl: string,
  prefix: string,
  count: number,
): Promise<Array<{ username: string; password: string }>> {
  const users = Array.from({ length: count }, (_, i) => ({
    username: `${prefix}_${i}`,
    password: `${prefix} password ${i}`,
  }));
  for (const user of users) {
    const response = await post(`${authUrl}/register`, user);
    if (response.status !== 201)
      throw new Error(`register failed: ${response.status} ${await response.text()}`);
  }
  return users;
}

export interface FloodResult {
  flood: LoadResult;
  health: LoadResult;
}

/**
 * The login flood (50 connections logging in as 20 users) with a /healthz
 * probe beside it every 20 ms, as a load balancer's health check would be.
 */
export async function floodWithProbe(
  authUrl: string,
  settings: Settings,
  users: Array<{ username: string; password: string }>,
): Promise<FloodResult> {
  const bodies = users.map((user) => JSON.stringify(user));
  const [flood, health] = await Promise.all([
    runLoad({
      url: `${authUrl}/login`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: (n) => bodies[n % bodies.length] as string,
      connections: settings.connections,
      durationSeconds: settings.floodSeconds,
      // 50 logins queued for a few hashing threads wait seconds by design; a client
      // that gave up at 10 s would resend, and the abandoned hash would still run.
      timeoutSeconds: 120,
    }),
    runProbe(`${authUrl}/healthz`, 20, settings.floodSeconds),
  ]);
  return { flood, health };
}

/** The rows of one flood; `deployment` names where the service ran. */
export function floodRows(
  deployment: string,
  settings: Settings,
  { flood, health }: FloodResult,
  peakRssMb: number,
  notes: { flood?: string; health?: string } = {},
): AuthRow[] {
  return [
    {
      deployment,
      load: `POST /login flood (bcrypt cost ${settings.bcryptCost})`,
      measured: true,
      rps: flood.rps,
      p50: flood.p50,
      p99: flood.p99,
      failures: flood.failures,
      peakRssMb,
      ...(notes.flood === undefined ? {} : { note: notes.flood }),
    },
    {
      deployment,
      load: 'GET /healthz during the login flood',
      measured: true,
      rps: health.rps,
      p50: health.p50,
      p99: health.p99,
      failures: health.failures,
      peakRssMb,
      ...(notes.health === undefined ? {} : { note: notes.health }),
    },
  ];
}

function eventLoopDelayP99Ms(metrics: string): number {
  // prom-client's histogram (perf_hooks.monitorEventLoopDelay, 10 ms resolution)
  // records each interval between its timer's firings, so an idle loop reads
  // 10 ms: the delay is what exceeds the sampling interval.
  const lag =
    Number(/^nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})? ([\d.e+-]+)$/m.exec(metrics)?.[1]) *
    1000;
  return Math.max(0, lag - EVENT_LOOP_SAMPLING_MS);
}

/** What PostgreSQL did for `operations` logins or refreshes. */
function databaseCost(operation: string, rows: StatementRow[], operations: number): DatabaseCost {
  const statements = perOperation(rows, operations);
  const sum = (pick: (s: (typeof statements)[number]) => number) =>
    statements.reduce((total, s) => total + pick(s), 0);
  return {
    operation,
    operations,
    statementsPerOperation: sum((s) => s.callsPerOperation),
    writesPerOperation: sum((s) => (s.writes ? s.callsPerOperation : 0)),
    walBytesPerOperation: sum((s) => s.walBytesPerOperation),
    msPerOperation: sum((s) => s.msPerOperation),
    statements,
  };
}

/**
 * Refresh-token rotation: one chain per connection, each request spending
 * the token the previous answer gave, as a real client does. The chains
 * carry over from run to run: each loop waits for its answer, so no token
 * is ever lost in flight.
 */
async function refreshRuns(
  authUrl: string,
  settings: Settings,
  beforeMeasuring: () => Promise<void>,
): Promise<LoadResult[]> {
  const [user] = await registerUsers(authUrl, 'refresh', 1);
  const chains: string[] = [];
  for (let i = 0; i < settings.connections; i += 1) {
    const response = await post(`${authUrl}/login`, user);
    if (response.status !== 200)
      throw new Error(`login failed: ${response.status} ${await response.text()}`);
    chains.push(((await response.json()) as { refresh_token: string }).refresh_token);
  }
  const results: LoadResult[] = [];
  for (let run = 0; run <= settings.runs; run += 1) {
    if (run === 1) await beforeMeasuring();
    const result = await runChains({
      url: `${authUrl}/token`,
      contentType: 'application/x-www-form-urlencoded',
      chains,
      body: (token) => `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}`,
      next: (body) => (JSON.parse(body) as { refresh_token: string }).refresh_token,
      durationSeconds: run === 0 ? 1 : settings.durationSeconds, // run 0 warms up
    });
    if (run > 0) results.push(result);
  }
  return results;
}

export async function authLoads({
  settings,
  log,
}: {
  settings: Settings;
  log: (message: string) => void;
}): Promise<{
  rows: AuthRow[];
  database: DatabaseCost[];
  targets: Draft[];
  reference: NonNullable<Report['reference']>;
}> {
  const perCore = bcryptComparesPerSecond(settings.bcryptCost, settings.mode === 'quick' ? 1 : 3);
  const capacity = perCore * CORES;
  const signRate = await joseSignsPerSecond(settings.mode === 'quick' ? 1 : 3);
  log(
    `bcryptjs cost ${settings.bcryptCost}: ${perCore.toFixed(2)} compares/s per core; jose RS256: ${signRate.toFixed(0)} signs/s`,
  );
  const postgres = await startBenchPostgres();
  let stack: ServerProcess | undefined;
  try {
    const authPort = await freePort();
    const resourcePort = await freePort();
    stack = await startServer({
      name: 'npm start',
      args: ['packages/local-stack/dist/main.js'],
      env: {
        AUTH_PORT: String(authPort),
        RESOURCE_PORT: String(resourcePort),
        DATABASE_URL: postgres.url,
        // Given, so nothing is generated into the developer's .data/ folder.
        PASSWORD_PEPPER: TEST_PEPPER,
        REFRESH_TOKEN_SECRET: TEST_REFRESH_TOKEN_SECRET,
        KEY_ENCRYPTION_KEYS: TEST_KEK,
        BCRYPT_COST: String(settings.bcryptCost),
        LOG_LEVEL: 'info',
        ...FLOOD_ENV,
      },
      port: authPort,
    });
    const authUrl = stack.url;
    await waitFor(`http://127.0.0.1:${resourcePort}/readyz`, 60_000);
    await fetch(`${authUrl}/metrics`).then((r) => r.text()); // resets the event-loop delay histogram

    const users = await registerUsers(authUrl, 'flood', FLOOD_USERS);
    const flood = await floodWithProbe(authUrl, settings, users);
    const loopP99Ms = eventLoopDelayP99Ms(await fetch(`${authUrl}/metrics`).then((r) => r.text()));
    if (flood.flood.failures > 0)
      log(`login flood statuses: ${JSON.stringify(flood.flood.statuses)}`);
    // The database's share of a login, counted over logins one after another: in
    // the flood, logins still queued for a hash at the end have begun their reads,
    // and finish after it (they are also let finish before the refresh load).
    await settled(postgres);
    await postgres.resetStatements();
    const logins = settings.mode === 'quick' ? 3 : 10;
    for (let i = 0; i < logins; i += 1) {
      const response = await post(`${authUrl}/login`, users[i % users.length]);
      await response.body?.cancel();
      if (response.status !== 200) throw new Error(`login answered ${response.status}`);
    }
    const loginStatements = await postgres.statements();
    const rows = floodRows('npm start', settings, flood, stack.peakRssMb(), {
      flood: `${((flood.flood.rps / capacity) * 100).toFixed(1)}% of ${CORES} cores x bcrypt compares/s (${capacity.toFixed(1)}/s); peak RSS of the process running both services`,
      health: `event-loop delay p99 ${loopP99Ms.toFixed(1)} ms`,
    });
    log(
      `npm start: login flood ${flood.flood.rps.toFixed(2)}/s, /healthz p99 ${flood.health.p99.toFixed(1)} ms, loop p99 ${loopP99Ms.toFixed(1)} ms`,
    );

    let refreshes = 0;
    const runs = await refreshRuns(authUrl, settings, () => postgres.resetStatements());
    const refreshStatements = await postgres.statements();
    for (const run of runs) refreshes += run.statuses['200'] ?? 0;
    const refresh: AuthRow = {
      deployment: 'npm start',
      load: 'POST /token (refresh rotation)',
      measured: true,
      rps: median(runs.map((r) => r.rps)),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      failures: runs.reduce((sum, r) => sum + r.failures, 0),
      peakRssMb: stack.peakRssMb(),
    };
    refresh.note = `${((refresh.rps / signRate) * 100).toFixed(1)}% of jose RS256 signs/s on one core (${signRate.toFixed(0)}/s)`;
    rows.push(refresh);
    log(`npm start: refresh ${refresh.rps.toFixed(0)}/s, p99 ${refresh.p99.toFixed(1)} ms`);

    const targets: Draft[] = [
      {
        id: 'login-bcrypt-capacity',
        text: 'Earlier target: login flood >= 90% of cores x bcrypt compares/s, npm start',
        value: flood.flood.rps / capacity,
        shown: `${((flood.flood.rps / capacity) * 100).toFixed(1)}%`,
        holds: flood.flood.rps / capacity >= 0.9,
      },
      {
        id: 'login-event-loop',
        text: 'Earlier target: event-loop delay p99 < 10 ms during the login flood, npm start',
        value: loopP99Ms,
        shown: `${loopP99Ms.toFixed(1)} ms`,
        holds: loopP99Ms < 10,
      },
      {
        id: 'refresh-sign-rate',
        text: "Earlier target: refresh rotations >= 30% of jose's RS256 signs/s on one core, npm start",
        value: refresh.rps / signRate,
        shown: `${((refresh.rps / signRate) * 100).toFixed(1)}%`,
        holds: refresh.rps / signRate >= 0.3,
      },
    ];
    return {
      rows,
      database: [
        databaseCost('login', loginStatements, logins),
        databaseCost('refresh', refreshStatements, Math.max(1, refreshes)),
      ],
      targets,
      reference: {
        bcryptCost: settings.bcryptCost,
        bcryptComparesPerCore: perCore,
        joseSignsPerCore: signRate,
      },
    };
  } finally {
    await stack?.stop();
    await postgres.stop();
  }
}
