/**
 * `npm run bench`: every load in turn against the authpair services and the
 * reference peers, one server process at a time, autocannon from this
 * process over loopback. Prints one table, writes it to test/bench/results/,
 * and exits non-zero if any request that should have succeeded did not.
 *
 *   npm run bench                  full run: 3 runs per row, medians (about 6 minutes)
 *   npm run bench -- --quick       smoke run: 1 short run per row (part of npm test)
 *   npm run bench -- --only=verify the /protected loads only (--only=login: login, /healthz, refresh)
 */

import { generateKeyPairSync } from 'node:crypto';
import { availableParallelism } from 'node:os';
import bcrypt from 'bcryptjs';
import { SignJWT } from 'jose';
import { freePort } from '../support/ports';
import { startTestPostgres, type TestPostgres } from '../support/postgres-server';
import {
  TEST_AUDIENCE,
  TEST_FEED_TOKEN,
  TEST_ISSUER,
  TEST_KEK,
  TEST_PEPPER,
  TEST_REFRESH_TOKEN_SECRET,
} from '../support/services';
import { TestIssuer } from '../support/test-issuer';
import { type LoadOptions, type LoadResult, median, runChains, runLoad, runProbe } from './load';
import { type ServerProcess, startServer } from './process';
import { type Report, type Row, toMarkdown, writeReport } from './report';

const quick = process.argv.includes('--quick');
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
if (only !== undefined && only !== 'verify' && only !== 'login') {
  process.stderr.write(`--only must be verify or login, not ${only}\n`);
  process.exit(2);
}
const settings = {
  runs: quick ? 1 : 3,
  durationSeconds: quick ? 2 : 8,
  connections: 50,
  bcryptCost: quick ? 10 : 12,
  distinctTokens: quick ? 4000 : 20_000,
  verifiedTokenCache: quick ? 2000 : 10_000,
};

const TSX = ['--import', 'tsx'];
/** prom-client's default event-loop sampling interval (eventLoopMonitoringPrecision). */
const EVENT_LOOP_SAMPLING_MS = 10;
const peer = (file: string) => [...TSX, `test/bench/peers/${file}`];

interface Server {
  name: string;
  args: string[];
  env?: Record<string, string>;
  readyPath?: string;
}

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** Runs one load `runs` times, each against a fresh server process; medians of the figures, max of RSS. */
async function measure(
  load: string,
  server: Server,
  options: (url: string) => LoadOptions,
): Promise<Row> {
  const results: LoadResult[] = [];
  let peakRss = 0;
  for (let run = 1; run <= settings.runs; run += 1) {
    const port = await freePort();
    const process_: ServerProcess = await startServer(
      server.name,
      server.args,
      { PORT: String(port), ...server.env },
      port,
      server.readyPath,
    );
    try {
      // Warm-up: JIT, connection pools, the JWKS fetch.
      await runLoad({ ...options(process_.url), durationSeconds: 1, connections: 10 });
      results.push(
        await runLoad({
          ...options(process_.url),
          durationSeconds: settings.durationSeconds,
          connections: settings.connections,
        }),
      );
      peakRss = Math.max(peakRss, process_.peakRssMb());
    } finally {
      await process_.stop();
    }
  }
  const row: Row = {
    load,
    server: server.name,
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    failures: results.reduce((sum, r) => sum + r.failures, 0),
    peakRssMb: peakRss,
  };
  log(
    `${load} / ${server.name}: ${Math.round(row.rps)} req/s, p99 ${row.p99} ms, ${row.failures} failures, ${Math.round(peakRss)} MB`,
  );
  return row;
}

/** Single-thread bcryptjs compares per second at `cost`, measured here. */
function bcryptComparesPerSecond(cost: number): number {
  const hash = bcrypt.hashSync('benchmark password', cost);
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < (quick ? 1000 : 3000)) {
    bcrypt.compareSync('benchmark password', hash);
    count += 1;
  }
  return count / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const checks: Report['checks'] = [];
  const issuer = await new TestIssuer().start();
  const verifierEnv = {
    JWKS_URL: issuer.jwksUrl,
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
  };
  const oneToken = issuer.mint({ claims: { exp: Math.floor(Date.now() / 1000) + 3600 } });
  const bearer = { authorization: `Bearer ${oneToken}` };
  const resource: Server = {
    name: 'authpair resource',
    args: ['services/resource/dist/main.js'],
    env: {
      ...verifierEnv,
      // The stand-in issuer also serves the revocation feed the resource service polls.
      REVOCATION_FEED_TOKEN: TEST_FEED_TOKEN,
      LOG_LEVEL: 'info',
      VERIFIED_TOKEN_CACHE_SIZE: String(settings.verifiedTokenCache),
    },
  };
  const peers: Record<string, Server> = {
    nodeHttp: { name: 'bare node:http', args: peer('node-http.ts'), readyPath: '/' },
    koaBare: { name: 'bare Koa + @koa/router', args: peer('koa-bare.ts') },
    koaJose: { name: 'Koa + jose (reference)', args: peer('koa-jose.ts'), env: verifierEnv },
    fastify: { name: 'fastify + @fastify/jwt', args: peer('fastify-jwt.ts'), env: verifierEnv },
    express: {
      name: 'express + express-jwt + jwks-rsa',
      args: peer('express-jwt.ts'),
      env: verifierEnv,
    },
  };
  const ratio = (a: Row | undefined, b: Row | undefined) =>
    a && b && b.rps > 0 ? a.rps / b.rps : Number.NaN;
  const check = (target: string, value: number, threshold: number, unit = 'x') => {
    checks.push({ target, measured: `${value.toFixed(2)}${unit}`, met: value >= threshold });
    return `${value.toFixed(2)}${unit}`;
  };

  try {
    if (only === undefined || only === 'verify') {
      const load = '/protected, same token';
      const sameToken = (url: string): LoadOptions => ({
        url: `${url}/protected`,
        headers: bearer,
        connections: 50,
        durationSeconds: 1,
      });
      const byName: Record<string, Row> = {};
      for (const server of [
        peers.nodeHttp,
        peers.koaBare,
        peers.koaJose,
        peers.fastify,
        peers.express,
        resource,
      ] as Server[]) {
        const row = await measure(load, server, sameToken);
        byName[server.name] = row;
        rows.push(row);
      }
      const ours = byName[resource.name];
      if (ours) {
        ours.ratio = [
          `${check('same token: >= 1.5x fastify + @fastify/jwt', ratio(ours, byName[peers.fastify?.name ?? '']), 1.5)} fastify`,
          `${check('same token: >= 4x express-jwt + jwks-rsa', ratio(ours, byName[peers.express?.name ?? '']), 4)} express`,
          `${check('same token: >= 60% of bare Koa', ratio(ours, byName[peers.koaBare?.name ?? '']) * 100, 60, '%')} of bare Koa`,
        ].join(', ');
      }

      const distinct = Array.from({ length: settings.distinctTokens }, (_, i) =>
        issuer.mint({
          claims: { exp: Math.floor(Date.now() / 1000) + 3600, username: `user${i}` },
        }),
      );
      const distinctLoad = '/protected, every token distinct';
      const distinctTokens = (url: string): LoadOptions => ({
        url: `${url}/protected`,
        headersFor: (n) => ({ authorization: `Bearer ${distinct[n % distinct.length]}` }),
        connections: 50,
        durationSeconds: 1,
      });
      const reference = await measure(distinctLoad, peers.koaJose as Server, distinctTokens);
      const oursDistinct = await measure(distinctLoad, resource, distinctTokens);
      oursDistinct.ratio = `${check('distinct tokens: >= 90% of Koa + jose', ratio(oursDistinct, reference) * 100, 90, '%')} of Koa + jose`;
      oursDistinct.note = `(${settings.distinctTokens} tokens cycled through a ${settings.verifiedTokenCache}-entry cache: every lookup misses)`;
      rows.push(reference, oursDistinct);
      const peak = Math.max(
        ...rows.filter((row) => row.server === resource.name).map((row) => row.peakRssMb),
      );
      checks.push({
        target: 'resource peak RSS < 150 MB, under every load',
        measured: `${Math.round(peak)} MB`,
        met: peak < 150,
      });
    }

    if (only === undefined || only === 'login') {
      rows.push(...(await loginLoads(checks)));
    }
  } finally {
    await issuer.stop();
  }

  const report: Report = {
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    ...(only === undefined ? {} : { only }),
    machine: { cpus: availableParallelism(), node: process.version },
    settings,
    rows,
    checks,
  };
  const file = writeReport(report);
  process.stdout.write(`\n${toMarkdown(report)}\nwritten to ${file}\n`);
  const failed = rows.filter((row) => row.failures > 0);
  if (failed.length > 0) {
    log(
      `FAILED: requests that should have succeeded did not: ${failed.map((row) => `${row.server} (${row.load}): ${row.failures}`).join('; ')}`,
    );
    process.exit(1);
  }
}

/** Login flood on the auth service: hashing throughput against the machine's bcrypt capacity, and the event loop meanwhile. */
async function loginLoads(checks: Report['checks']): Promise<Row[]> {
  const cores = availableParallelism();
  const perCore = bcryptComparesPerSecond(settings.bcryptCost);
  const capacity = perCore * cores;
  log(
    `bcryptjs cost ${settings.bcryptCost}: ${perCore.toFixed(2)} compares/s per core, ${capacity.toFixed(2)}/s on ${cores} cores`,
  );

  let postgres: TestPostgres | undefined;
  let auth: ServerProcess | undefined;
  const rows: Row[] = [];
  try {
    // At the container's bridge address: no docker-proxy between the service and its database.
    postgres = await startTestPostgres({ direct: true });
    const port = await freePort();
    auth = await startServer(
      'authpair auth',
      ['services/auth/dist/main.js'],
      {
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: postgres.url,
        PASSWORD_PEPPER: TEST_PEPPER,
        REVOCATION_FEED_TOKEN: TEST_FEED_TOKEN,
        REFRESH_TOKEN_SECRET: TEST_REFRESH_TOKEN_SECRET,
        KEY_ENCRYPTION_KEYS: TEST_KEK,
        BCRYPT_COST: String(settings.bcryptCost),
        LOG_LEVEL: 'info',
        // The bench logs in from one address many times; the throttles are not what is measured.
        REGISTRATION_ADDRESS_MAX: '1000000',
        LOGIN_ADDRESS_MAX_FAILURES: '1000000',
      },
      port,
    );
    const users = Array.from({ length: 20 }, (_, i) => ({
      username: `bench_${i}`,
      password: `bench password ${i}`,
    }));
    for (const user of users) {
      const response = await fetch(`${auth.url}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(user),
      });
      if (response.status !== 201)
        throw new Error(`register failed: ${response.status} ${await response.text()}`);
    }
    const bodies = users.map((user) => JSON.stringify(user));
    await fetch(`${auth.url}/metrics`).then((r) => r.text()); // resets the event-loop delay histogram
    const [flood, health] = await Promise.all([
      runLoad({
        url: `${auth.url}/login`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: (n) => bodies[n % bodies.length] as string,
        connections: settings.connections,
        durationSeconds: settings.durationSeconds * 3,
        // 50 logins queued for a few hashing threads wait seconds by design; a client
        // that gave up at 10 s would resend, and the abandoned hash would still run.
        timeoutSeconds: 120,
      }),
      // A probe, as a load balancer's health check would be: every 20 ms, not a second load.
      runProbe(`${auth.url}/healthz`, 20, settings.durationSeconds * 3),
    ]);
    if (flood.failures > 0) log(`login flood statuses: ${JSON.stringify(flood.statuses)}`);
    const metrics = await fetch(`${auth.url}/metrics`).then((r) => r.text());
    // prom-client's histogram (perf_hooks.monitorEventLoopDelay, 10 ms resolution)
    // records each interval between its timer's firings, so an idle loop reads
    // 10 ms: the delay is what exceeds the sampling interval.
    const lagP99Ms =
      Number(/^nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})? ([\d.e+-]+)$/m.exec(metrics)?.[1]) *
      1000;
    const loopP99Ms = Math.max(0, lagP99Ms - EVENT_LOOP_SAMPLING_MS);
    const floodRow: Row = {
      load: `POST /login flood (bcrypt cost ${settings.bcryptCost})`,
      server: 'authpair auth',
      rps: flood.rps,
      p50: flood.p50,
      p99: flood.p99,
      failures: flood.failures,
      peakRssMb: auth.peakRssMb(),
    };
    floodRow.ratio = `${check(checks, `login: >= 90% of cores x bcrypt compares/s (${capacity.toFixed(1)}/s)`, (flood.rps / capacity) * 100, 90, '%')} of bcrypt capacity`;
    const healthRow: Row = {
      load: 'GET /healthz during the login flood',
      server: 'authpair auth',
      rps: health.rps,
      p50: health.p50,
      p99: health.p99,
      failures: health.failures,
      peakRssMb: auth.peakRssMb(),
      note: `event-loop delay p99 ${loopP99Ms.toFixed(1)} ms`,
    };
    checks.push({
      target: 'login flood: /healthz p99 < 20 ms',
      measured: `${health.p99.toFixed(1)} ms`,
      met: health.p99 < 20,
    });
    checks.push({
      target: 'login flood: event-loop delay p99 < 10 ms',
      measured: `${loopP99Ms.toFixed(1)} ms`,
      met: loopP99Ms < 10,
    });
    rows.push(floodRow, healthRow);
    rows.push(...(await refreshLoad(auth, checks)));
    log(
      `login flood: ${flood.rps.toFixed(2)} req/s, healthz p99 ${health.p99} ms, loop p99 ${loopP99Ms.toFixed(1)} ms`,
    );
  } finally {
    await auth?.stop();
    await postgres?.stop();
  }
  return rows;
}

/** jose RS256 signatures per second on one core, measured here (the refresh target's reference). */
async function joseSignsPerSecond(): Promise<number> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < (quick ? 1000 : 3000)) {
    await new SignJWT({ sub: 'x', n: count })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'k' })
      .sign(privateKey);
    count += 1;
  }
  return count / ((performance.now() - started) / 1000);
}

/**
 * Refresh-token rotation: one chain per connection, each request spending
 * the token the previous answer gave, as a real client does. No bcrypt: a
 * transaction in PostgreSQL and one RS256 signature per request. The chains
 * carry over from run to run: each loop waits for its answer, so no token is
 * ever lost in flight.
 */
async function refreshLoad(auth: ServerProcess, checks: Report['checks']): Promise<Row[]> {
  const signRate = await joseSignsPerSecond();
  const user = { username: 'bench_refresh', password: 'bench refresh password' };
  const post = (path: string, body: unknown) =>
    fetch(`${auth.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  await post('/register', user);
  const chains: string[] = [];
  for (let i = 0; i < settings.connections; i += 1) {
    const response = await post('/login', user);
    if (response.status !== 200)
      throw new Error(`login failed: ${response.status} ${await response.text()}`);
    chains.push(((await response.json()) as { refresh_token: string }).refresh_token);
  }
  const results: LoadResult[] = [];
  for (let run = 0; run <= settings.runs; run += 1) {
    const result = await runChains({
      url: `${auth.url}/token`,
      contentType: 'application/x-www-form-urlencoded',
      chains,
      body: (token) => `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}`,
      next: (body) => (JSON.parse(body) as { refresh_token: string }).refresh_token,
      durationSeconds: run === 0 ? 1 : settings.durationSeconds, // run 0 warms up
    });
    if (run > 0) results.push(result);
    if (result.failures > 0) log(`refresh run ${run}: statuses ${JSON.stringify(result.statuses)}`);
  }
  const row: Row = {
    load: 'POST /token (refresh rotation)',
    server: 'authpair auth',
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    failures: results.reduce((sum, r) => sum + r.failures, 0),
    peakRssMb: auth.peakRssMb(),
  };
  row.ratio = `${check(checks, `refresh: >= 30% of jose RS256 signs/s on one core (${signRate.toFixed(0)}/s)`, (row.rps / signRate) * 100, 30, '%')} of jose sign rate`;
  log(
    `refresh: ${row.rps.toFixed(0)} req/s, p99 ${row.p99} ms, jose sign ${signRate.toFixed(0)}/s per core`,
  );
  return [row];
}

function check(
  checks: Report['checks'],
  target: string,
  value: number,
  threshold: number,
  unit: string,
): string {
  checks.push({ target, measured: `${value.toFixed(1)}${unit}`, met: value >= threshold });
  return `${value.toFixed(1)}${unit}`;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
