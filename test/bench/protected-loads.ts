import { REVOCATION_FEED_PATH } from '@authpair/contracts';
import { freePort } from '../support/ports';
import { TEST_AUDIENCE, TEST_FEED_TOKEN, TEST_ISSUER } from '../support/services';
import type { TestIssuer } from '../support/test-issuer';
import { type GeneratorKind, type GeneratorResult, generate } from './generator';
import { median } from './load';
import { startServer } from './process';
import type { LoadId, ProtectedRow } from './report';
import { RESOURCE_ID, SERVERS, type ServerSpec } from './servers';
import type { Settings } from './settings';
import type { Pinning } from './system';

/**
 * The server-bound /protected rows: each server alone on the server core,
 * the generator on the other, rounds alternating over every server (the
 * order reversed on even rounds, so no server always comes first after a
 * quiet spell), medians of the rounds. Each round starts a fresh process.
 */

export interface ProtectedContext {
  settings: Settings;
  pinning: Pinning;
  generator: GeneratorKind;
  issuer: TestIssuer;
  log: (message: string) => void;
  /** Only these server ids (all when undefined). */
  servers?: string[];
}

export interface Measurement extends GeneratorResult {
  serverCpuSeconds: number;
  peakRssMb: number;
}

export interface Cell {
  load: LoadId;
  server: ServerSpec;
}

/** The tokens each load sends: one for every request, or one per request from a cycle. */
export interface TokenSets {
  same: string;
  /** Sent in turn; the cycle is longer than the cache's doorkeeper, so every lookup misses. */
  distinct: string[];
  /** For the distinct load's warm-up only, so no measured token has been seen before. */
  warmup: string[];
}

export function mintTokens(issuer: TestIssuer, settings: Settings): TokenSets {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const mint = (i: number) => issuer.mint({ claims: { exp, username: `user${i}` } });
  return {
    same: mint(0),
    distinct: Array.from({ length: settings.distinctTokens }, (_, i) => mint(i + 1)),
    warmup: Array.from({ length: settings.warmupTokens }, (_, i) =>
      mint(settings.distinctTokens + 1 + i),
    ),
  };
}

function plan(context: ProtectedContext): { cells: Cell[]; unavailable: ProtectedRow[] } {
  const cells: Cell[] = [];
  const unavailable: ProtectedRow[] = [];
  for (const load of ['same', 'distinct'] as const) {
    for (const server of SERVERS) {
      if (context.servers !== undefined && !context.servers.includes(server.id)) continue;
      if (load === 'distinct' && !server.verifies) continue;
      if (load === 'distinct' && !context.settings.distinctServers.includes(server.id)) continue;
      const reason = server.unavailable?.();
      if (reason !== undefined) unavailable.push(unavailableRow(load, server, reason));
      else cells.push({ load, server });
    }
  }
  return { cells, unavailable };
}

function unavailableRow(load: LoadId, server: ServerSpec, reason: string): ProtectedRow {
  return {
    load,
    server: server.id,
    name: server.name,
    available: false,
    note: reason,
    rps: Number.NaN,
    p50: Number.NaN,
    p99: Number.NaN,
    failures: 0,
    peakRssMb: Number.NaN,
    cpuUsPerRequest: Number.NaN,
    serverCpuShare: Number.NaN,
    generatorCpuShare: Number.NaN,
    rounds: [],
  };
}

/** Environment every verifying server gets: the stand-in issuer's keys and feed. */
export function serverEnv(
  server: ServerSpec,
  issuer: TestIssuer,
  settings: Settings,
): Record<string, string> {
  const env: Record<string, string> = {
    JWKS_URL: issuer.jwksUrl,
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    REVOCATION_FEED_URL: `${issuer.url}${REVOCATION_FEED_PATH}`,
    REVOCATION_FEED_TOKEN: TEST_FEED_TOKEN,
    ...server.env,
  };
  if (server.id === RESOURCE_ID && settings.verifiedTokenCache !== undefined)
    env.VERIFIED_TOKEN_CACHE_SIZE = String(settings.verifiedTokenCache);
  return env;
}

export async function measureOnce(
  context: ProtectedContext,
  cell: Cell,
  tokens: TokenSets,
): Promise<Measurement> {
  const { settings, pinning } = context;
  const port = await freePort();
  const server = await startServer({
    name: cell.server.name,
    args: [cell.server.script],
    env: { PORT: String(port), ...serverEnv(cell.server, context.issuer, settings) },
    port,
    core: { pinning, core: pinning.serverCore },
  });
  try {
    const url = `${server.url}/protected`;
    const request = (tokenList: string[] | undefined, durationSeconds: number) => ({
      url,
      connections: settings.connections,
      durationSeconds,
      headers: tokenList === undefined ? { authorization: `Bearer ${tokens.same}` } : {},
      ...(tokenList === undefined ? {} : { tokens: tokenList }),
    });
    // Warm-up: JIT, the JWKS fetch, the first feed read; distinct tokens of its own.
    await generate(
      context.generator,
      pinning,
      request(cell.load === 'same' ? undefined : tokens.warmup, settings.warmupSeconds),
    );
    const before = server.cpuSeconds();
    const result = await generate(
      context.generator,
      pinning,
      request(cell.load === 'same' ? undefined : tokens.distinct, settings.durationSeconds),
    );
    const serverCpuSeconds = server.cpuSeconds() - before;
    return { ...result, serverCpuSeconds, peakRssMb: server.peakRssMb() };
  } finally {
    await server.stop();
  }
}

function summarize(cell: Cell, measurements: Measurement[]): ProtectedRow {
  const perRequest = measurements.map((m) => (m.serverCpuSeconds / m.requests) * 1e6);
  return {
    load: cell.load,
    server: cell.server.id,
    name: cell.server.name,
    available: true,
    rps: median(measurements.map((m) => m.rps)),
    p50: median(measurements.map((m) => m.p50)),
    p99: median(measurements.map((m) => m.p99)),
    failures: measurements.reduce((sum, m) => sum + m.failures, 0),
    peakRssMb: Math.max(...measurements.map((m) => m.peakRssMb)),
    cpuUsPerRequest: median(perRequest),
    serverCpuShare: median(measurements.map((m) => m.serverCpuSeconds / m.seconds)),
    generatorCpuShare: median(measurements.map((m) => m.generatorCpuSeconds / m.seconds)),
    rounds: measurements.map((m) => Math.round(m.rps)),
  };
}

export async function protectedLoads(
  context: ProtectedContext,
  tokens: TokenSets,
): Promise<ProtectedRow[]> {
  const { cells, unavailable } = plan(context);
  for (const row of unavailable) context.log(`${row.load} / ${row.name}: ${row.note}`);
  const results = new Map<Cell, Measurement[]>(cells.map((cell) => [cell, []]));
  for (let round = 1; round <= context.settings.runs; round += 1) {
    const order = round % 2 === 0 ? [...cells].reverse() : cells;
    for (const cell of order) {
      const measurement = await measureOnce(context, cell, tokens);
      results.get(cell)?.push(measurement);
      context.log(
        `round ${round}/${context.settings.runs} ${cell.load} / ${cell.server.name}: ${Math.round(measurement.rps)} req/s, ` +
          `${((measurement.serverCpuSeconds / measurement.requests) * 1e6).toFixed(0)} µs CPU/req, ` +
          `server ${(100 * (measurement.serverCpuSeconds / measurement.seconds)).toFixed(0)}% of a core, ` +
          `p99 ${measurement.p99.toFixed(1)} ms, ${measurement.failures} failures`,
      );
    }
  }
  const rows = cells.map((cell) => summarize(cell, results.get(cell) ?? []));
  return [...rows, ...unavailable].sort(
    (a, b) =>
      (a.load === b.load ? 0 : a.load === 'same' ? -1 : 1) ||
      SERVERS.findIndex((s) => s.id === a.server) - SERVERS.findIndex((s) => s.id === b.server),
  );
}
