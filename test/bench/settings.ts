/**
 * The bench's command line and the settings of each mode.
 *
 *   (no flag)            full run: every section, 3 rounds of 8 s per row; writes latest.json
 *                        and the table and chart in docs/performance.md
 *   --quick              smoke run (npm test): one short round, fewer rows, no Compose
 *   --only=<sections>    some sections (comma-separated: protected, auth, compose, feed)
 *   --servers=<ids>      with --only=protected: only these servers
 *   --cpu-prof=<id>      profile one server under one load (--load=same|distinct)
 */

export const SECTIONS = ['protected', 'auth', 'compose', 'feed'] as const;
export type Section = (typeof SECTIONS)[number];

export interface Settings {
  mode: 'full' | 'quick';
  /** Rounds per /protected row (medians); runs of the refresh load. */
  runs: number;
  durationSeconds: number;
  /** Whole seconds (wrk takes no fractions). */
  warmupSeconds: number;
  connections: number;
  bcryptCost: number;
  /** Seconds of the login flood. */
  floodSeconds: number;
  distinctTokens: number;
  warmupTokens: number;
  /** VERIFIED_TOKEN_CACHE_SIZE for the resource service; undefined: its default. */
  verifiedTokenCache: number | undefined;
  /** Servers that run the distinct-token load. */
  distinctServers: string[];
  feed: {
    /** One population after another: each reads quietly, then through a burst. */
    pollers: number[];
    pollIntervalMs: number;
    /** Seconds of each phase: quiet, then with a burst of revocations. */
    phaseSeconds: number;
    /** Sessions ended in the burst. */
    burst: number;
  };
}

const ALL_DISTINCT = [
  'koa-jose',
  'fastify-jwt',
  'fastify-jwt-logger',
  'express-jwt',
  'koa-verifier',
  'express-verifier',
  'fastify-verifier',
  'resource',
];

export function settingsFor(quick: boolean): Settings {
  return quick
    ? {
        mode: 'quick',
        runs: 1,
        durationSeconds: 1,
        warmupSeconds: 1,
        connections: 50,
        bcryptCost: 10,
        floodSeconds: 4,
        distinctTokens: 2500,
        warmupTokens: 500,
        verifiedTokenCache: 1000,
        distinctServers: ['koa-jose', 'koa-verifier', 'resource'],
        feed: { pollers: [10, 20], pollIntervalMs: 1000, phaseSeconds: 2, burst: 10 },
      }
    : {
        mode: 'full',
        runs: 3,
        durationSeconds: 8,
        warmupSeconds: 2,
        connections: 50,
        bcryptCost: 12,
        floodSeconds: 24,
        distinctTokens: 20_000,
        warmupTokens: 2000,
        verifiedTokenCache: undefined,
        distinctServers: ALL_DISTINCT,
        feed: { pollers: [200, 1000], pollIntervalMs: 1000, phaseSeconds: 15, burst: 200 },
      };
}

export interface Command {
  quick: boolean;
  sections: Section[];
  /** Set when --only narrowed the sections: a partial run, kept apart from latest.json. */
  only: string | undefined;
  servers: string[] | undefined;
  cpuProfile: { server: string; load: 'same' | 'distinct' } | undefined;
}

export function parseCommand(argv: string[]): Command {
  const value = (name: string) =>
    argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const quick = argv.includes('--quick');
  const only = value('only');
  const sections = (only?.split(',') ?? [...SECTIONS]) as Section[];
  for (const section of sections)
    if (!SECTIONS.includes(section))
      throw new Error(`--only takes ${SECTIONS.join(', ')} (comma-separated), not ${section}`);
  const servers = value('servers')?.split(',');
  const profiled = value('cpu-prof');
  const load = value('load') ?? 'distinct';
  if (load !== 'same' && load !== 'distinct')
    throw new Error(`--load must be same or distinct, not ${load}`);
  return {
    quick,
    // The smoke run leaves Compose out: building the images takes minutes.
    sections: quick && only === undefined ? sections.filter((s) => s !== 'compose') : sections,
    only,
    servers,
    cpuProfile: profiled === undefined ? undefined : { server: profiled, load },
  };
}
