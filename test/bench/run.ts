/**
 * `npm run bench`: the server-bound benchmark. Each /protected server runs
 * alone, pinned to one core (taskset -c 1); wrk, one thread and 50
 * connections, runs on the other (autocannon in its own pinned process when
 * wrk is missing, which the report says). Then the auth service under a
 * login flood, in `npm start`'s configuration and in Compose, refresh
 * rotation with its PostgreSQL cost, and the revocation-feed simulation.
 * See docs/performance.md for how to read the results.
 *
 *   npm run bench                         full run, about 25 minutes on a quiet machine:
 *                                         test/bench/results/latest.json, the table and
 *                                         chart in docs/performance.md
 *   npm run bench -- --quick              smoke run (the end of npm test), about a minute
 *   npm run bench -- --only=protected     some sections: protected, auth, compose, feed
 *   npm run bench -- --only=protected --servers=koa,resource
 *   npm run bench -- --cpu-prof=resource --load=distinct
 *                                         a CPU profile of one row (see profile.ts)
 *
 * Exits non-zero if any request that should have succeeded did not; the
 * ratios are reported, never enforced.
 */

import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { TestIssuer } from '../support/test-issuer';
import { authLoads } from './auth-loads';
import { composeLoads } from './compose';
import { feedSimulation } from './feed-simulation';
import type { GeneratorKind } from './generator';
import { ROOT } from './process';
import { cpuProfile } from './profile';
import { mintTokens, protectedLoads } from './protected-loads';
import type { AuthRow, DatabaseCost, FeedPhase, ProtectedRow, Report } from './report';
import { writeResults } from './results';
import { parseCommand, settingsFor } from './settings';
import { CORES, detectPinning, ensureWrk, pinSelf, unpinSelf, wrkVersion } from './system';
import { computeTargets, judge } from './targets';

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

function generatorOf(quick: boolean): { kind: GeneratorKind; description: string } {
  // The smoke run never installs anything; a full or partial run installs wrk when it can.
  const wrk = ensureWrk(!quick, log);
  if (wrk.available)
    return { kind: 'wrk', description: `${wrkVersion()}, one thread, 50 connections` };
  const description = `autocannon in its own process, 50 connections (FALLBACK: ${wrk.reason})`;
  log(`load generator: ${description}`);
  return { kind: 'autocannon', description };
}

function previousFullRun(): Report | undefined {
  try {
    const report = JSON.parse(
      readFileSync(join(ROOT, 'test/bench/results/latest.json'), 'utf8'),
    ) as Report;
    return Array.isArray(report.targets) && report.mode === 'full' && report.only === undefined
      ? report
      : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const command = parseCommand(process.argv.slice(2));
  const settings = settingsFor(command.quick);
  const pinning = detectPinning();
  if (!pinning.enabled) log(`NOT PINNED: ${pinning.reason}; figures include the generator's share`);
  const generator = generatorOf(command.quick);

  if (command.cpuProfile !== undefined) {
    await cpuProfile({ ...command.cpuProfile, settings, pinning, generator: generator.kind, log });
    return;
  }

  const loadStart = loadavg()[0] ?? 0;
  let protectedRows: ProtectedRow[] = [];
  let auth: AuthRow[] = [];
  let database: DatabaseCost[] = [];
  let feed: FeedPhase[] = [];
  let reference: Report['reference'];
  const extraTargets: Parameters<typeof computeTargets>[1] = [];

  // A section that fails is reported, and fails the run, without losing the others' figures.
  const errors: string[] = [];
  const section = async (name: string, run: () => Promise<void>) => {
    if (!command.sections.includes(name as (typeof command.sections)[number])) return;
    try {
      await run();
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`section ${name} FAILED: ${message}`);
      errors.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  await section('protected', async () => {
    const issuer = await new TestIssuer().start();
    try {
      log(`minting ${settings.distinctTokens + settings.warmupTokens + 1} tokens`);
      const tokens = mintTokens(issuer, settings);
      // The harness (and the stand-in issuer in it) keeps off the server's core.
      pinSelf(pinning, pinning.generatorCore);
      protectedRows = await protectedLoads(
        {
          settings,
          pinning,
          generator: generator.kind,
          issuer,
          log,
          ...(command.servers === undefined ? {} : { servers: command.servers }),
        },
        tokens,
      );
    } finally {
      unpinSelf(pinning);
      await issuer.stop();
    }
  });
  await section('auth', async () => {
    const result = await authLoads({ settings, log });
    auth = auth.concat(result.rows);
    database = result.database;
    reference = result.reference;
    extraTargets.push(...result.targets);
  });
  await section('compose', async () => {
    auth = auth.concat(await composeLoads({ settings, log }));
  });
  await section('feed', async () => {
    feed = await feedSimulation({ settings, pinning, log });
  });

  // A full run with a failed section is not a record: it goes beside latest.json.
  const partial = command.only !== undefined || command.servers !== undefined || errors.length > 0;
  const report: Report = {
    date: new Date().toISOString(),
    mode: settings.mode,
    ...(partial
      ? {
          only:
            [command.only, command.servers?.join(','), errors.length > 0 ? 'failed' : undefined]
              .filter(Boolean)
              .join(' ') || 'all',
        }
      : {}),
    machine: {
      cpus: CORES,
      node: process.version,
      loadAverage: { start: loadStart, end: loadavg()[0] ?? 0 },
    },
    method: {
      generator: generator.description,
      pinning: pinning.enabled
        ? `server on core ${pinning.serverCore}, generator and harness on core ${pinning.generatorCore} (taskset)`
        : `none (${pinning.reason})`,
      tokens: `${settings.distinctTokens.toLocaleString('en-US')} tokens minted by the harness's stand-in issuer (RS256, the claims auth issues), cycled in order after a warm-up on ${settings.warmupTokens.toLocaleString('en-US')} others; the resource service's cache ${settings.verifiedTokenCache === undefined ? 'at its default size (10,000)' : `at ${settings.verifiedTokenCache}`}, whose doorkeeper admits a token on its second sight within one cache-size of lookups, so no lookup hits`,
    },
    settings: { ...settings },
    ...(reference === undefined ? {} : { reference }),
    protected: protectedRows,
    auth,
    database,
    feed,
    targets: [],
  };
  const judgeAgainst = settings.mode === 'full' && !partial ? previousFullRun() : undefined;
  report.targets = judge(computeTargets(report, extraTargets), judgeAgainst);
  const written = writeResults(report);
  process.stdout.write(`\n${written.markdown}\nwritten to ${written.files.join(', ')}\n`);

  const failed = [
    ...report.protected.filter((row) => row.failures > 0).map((row) => `${row.name} (${row.load})`),
    ...report.auth.filter((row) => row.failures > 0).map((row) => `${row.deployment} ${row.load}`),
    ...report.feed
      .filter((row) => row.failures > 0 || (row.revocations > 0 && !row.complete))
      .map((row) => `feed ${row.phase}`),
  ];
  for (const error of errors) failed.push(`section ${error}`);
  if (failed.length > 0) {
    log(`FAILED: requests that should have succeeded did not: ${failed.join('; ')}`);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
