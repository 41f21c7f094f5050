import { type DatabaseCost, fmt, type Report, table } from './report';

/**
 * The capacity model of docs/scaling.md, computed from the measured
 * per-replica figures of a bench run (latest.json) and a stated workload,
 * so the model moves with the measurements. Pure, like report.ts.
 */

/** The reference workload ("today"): an assumption, stated in docs/scaling.md. */
export const TODAY = {
  /** Logins per second at the busiest hour. */
  loginsPerSecond: 2,
  /** Refresh rotations per second (every signed-in client, once per access-token lifetime). */
  refreshesPerSecond: 20,
  /** Requests per second to resource servers. */
  requestsPerSecond: 2000,
  /** Share of those requests whose token the replica has not verified before (a cache miss). */
  missShare: 0.05,
};

export const SCALES = [1, 10, 100, 1000];

/** `DB_POOL_MAX`'s default: PostgreSQL connections each auth process may open. */
const POOL_PER_AUTH_PROCESS = 10;
/** PostgreSQL's default `max_connections`. */
const PG_MAX_CONNECTIONS = 100;
/** Cores per replica the model assumes (a resource replica, an auth replica). */
const RESOURCE_CORES = 1;
const AUTH_CORES = 2;
/** How often each resource replica polls the feed (REVOCATION_POLL_INTERVAL_MS default 1000). */
const POLLS_PER_REPLICA_PER_SECOND = 1;

export interface CapacityInputs {
  loginsPerCore: number;
  refreshesPerCore: number;
  hitsPerCore: number;
  missesPerCore: number;
  login: DatabaseCost;
  refresh: DatabaseCost;
  feedAuthUsPerPoll: number;
  feedPgMsPerPoll: number;
  feedPollers: number;
}

/** The measured inputs, or undefined when the run lacks a section the model needs. */
export function capacityInputs(report: Report): CapacityInputs | undefined {
  const row = (load: 'same' | 'distinct') =>
    report.protected.find((r) => r.load === load && r.server === 'resource' && r.available);
  const refresh = report.auth.find(
    (r) => r.deployment === 'npm start' && r.load.startsWith('POST /token') && r.measured,
  );
  const login = report.database.find((d) => d.operation === 'login');
  const refreshDb = report.database.find((d) => d.operation === 'refresh');
  // The largest population's quiet phase: the steady cost of a poll.
  const quiet = report.feed
    .filter((phase) => phase.pollers > 0 && phase.revocations === 0)
    .sort((a, b) => b.pollers - a.pollers)[0];
  const hit = row('same');
  const miss = row('distinct');
  if (!hit || !miss || !refresh || !login || !refreshDb || !quiet || !report.reference)
    return undefined;
  return {
    loginsPerCore: report.reference.bcryptComparesPerCore,
    refreshesPerCore: refresh.rps / report.machine.cpus,
    hitsPerCore: hit.rps / hit.serverCpuShare,
    missesPerCore: miss.rps / miss.serverCpuShare,
    login,
    refresh: refreshDb,
    feedAuthUsPerPoll: quiet.authCpuUsPerPoll,
    feedPgMsPerPoll: quiet.pgMsPerPoll,
    feedPollers: quiet.pollers,
  };
}

export interface ScaleRow {
  scale: number;
  logins: number;
  refreshes: number;
  requests: number;
  authCores: number;
  authReplicas: number;
  resourceReplicas: number;
  feedPolls: number;
  pgStatements: number;
  pgWrites: number;
  walMegabytes: number;
  pgExecutionCores: number;
  pgConnections: number;
}

export function scaleRows(inputs: CapacityInputs): ScaleRow[] {
  return SCALES.map((scale) => {
    const logins = TODAY.loginsPerSecond * scale;
    const refreshes = TODAY.refreshesPerSecond * scale;
    const requests = TODAY.requestsPerSecond * scale;
    const resourceCores =
      requests *
      ((1 - TODAY.missShare) / inputs.hitsPerCore + TODAY.missShare / inputs.missesPerCore);
    const resourceReplicas = Math.max(1, Math.ceil(resourceCores / RESOURCE_CORES));
    const feedPolls = resourceReplicas * POLLS_PER_REPLICA_PER_SECOND;
    const authCores =
      logins / inputs.loginsPerCore +
      refreshes / inputs.refreshesPerCore +
      (feedPolls * inputs.feedAuthUsPerPoll) / 1e6;
    const authReplicas = Math.max(1, Math.ceil(authCores / AUTH_CORES));
    return {
      scale,
      logins,
      refreshes,
      requests,
      authCores,
      authReplicas,
      resourceReplicas,
      feedPolls,
      pgStatements:
        logins * inputs.login.statementsPerOperation +
        refreshes * inputs.refresh.statementsPerOperation +
        feedPolls,
      pgWrites:
        logins * inputs.login.writesPerOperation + refreshes * inputs.refresh.writesPerOperation,
      walMegabytes:
        (logins * inputs.login.walBytesPerOperation +
          refreshes * inputs.refresh.walBytesPerOperation) /
        1e6,
      pgExecutionCores:
        (logins * inputs.login.msPerOperation +
          refreshes * inputs.refresh.msPerOperation +
          feedPolls * inputs.feedPgMsPerPoll) /
        1000,
      pgConnections: authReplicas * POOL_PER_AUTH_PROCESS,
    };
  });
}

const num = (value: number, digits = 0) => fmt(value, digits);

/** The generated block of docs/scaling.md: the inputs with their sources, then the model. */
export function capacityMarkdown(report: Report): string {
  const inputs = capacityInputs(report);
  if (inputs === undefined)
    return '(the latest full run lacks a section the model needs: protected, auth and feed)\n';
  const rows = scaleRows(inputs);
  const wal = (cost: DatabaseCost) =>
    `${num(cost.statementsPerOperation, 1)} statements, ${num(cost.writesPerOperation, 1)} writes, ${num(cost.walBytesPerOperation)} B WAL`;
  const lines = [
    `From the full run of ${report.date} (${report.machine.cpus} cores, ${report.method.generator}; load average ${report.machine.loadAverage.start.toFixed(1)} at its start).`,
    '',
    ...table(
      ['measured, per replica', 'figure', 'from'],
      ['---', '---:', '---'],
      [
        [
          `logins per core (bcrypt cost ${report.reference?.bcryptCost ?? '?'})`,
          `${num(inputs.loginsPerCore, 2)}/s`,
          'single-thread bcryptjs compares/s; a login is one compare and about a millisecond besides',
        ],
        [
          'refresh rotations per core',
          `${num(inputs.refreshesPerCore)}/s`,
          "the refresh row (npm start) over the machine's cores, PostgreSQL on the same cores",
        ],
        [
          'verifications per core, cache hit',
          `${num(inputs.hitsPerCore)}/s`,
          "the resource service's same-token row, per core it was given",
        ],
        [
          'verifications per core, cache miss',
          `${num(inputs.missesPerCore)}/s`,
          "the resource service's distinct-token row, per core it was given",
        ],
        ['PostgreSQL per login', wal(inputs.login), 'pg_stat_statements, 10 logins in a row'],
        ['PostgreSQL per refresh', wal(inputs.refresh), 'pg_stat_statements, the refresh runs'],
        [
          'feed polls per resource replica',
          `${POLLS_PER_REPLICA_PER_SECOND}/s`,
          '`REVOCATION_POLL_INTERVAL_MS` = 1000',
        ],
        [
          'auth CPU per feed poll',
          `${num(inputs.feedAuthUsPerPoll)} µs`,
          `the feed simulation, ${inputs.feedPollers} pollers, quiet`,
        ],
        [
          'PostgreSQL per feed poll',
          `${num(inputs.feedPgMsPerPoll, 3)} ms`,
          'the feed simulation (execution time)',
        ],
      ],
    ),
    '',
    `The workload, today (an assumption): ${TODAY.loginsPerSecond} logins/s, ${TODAY.refreshesPerSecond} refreshes/s and ${num(TODAY.requestsPerSecond)} resource requests/s at the busiest hour, ${Math.round(TODAY.missShare * 100)}% of them cache misses; resource replicas of ${RESOURCE_CORES} core, auth replicas of ${AUTH_CORES}, each auth process with \`DB_POOL_MAX\` ${POOL_PER_AUTH_PROCESS}.`,
    '',
    ...table(
      [
        'load',
        'logins/s',
        'refreshes/s',
        'requests/s',
        'auth cores',
        'auth replicas',
        'resource replicas',
        'feed polls/s',
        'PostgreSQL statements/s',
        'of them writes',
        'WAL MB/s',
        'PostgreSQL execution, cores',
        'PostgreSQL connections',
      ],
      ['---', ...Array.from({ length: 12 }, () => '---:')],
      rows.map((row) => [
        `${row.scale}x`,
        num(row.logins),
        num(row.refreshes),
        num(row.requests),
        num(row.authCores, 1),
        num(row.authReplicas),
        num(row.resourceReplicas),
        num(row.feedPolls),
        num(row.pgStatements),
        num(row.pgWrites),
        num(row.walMegabytes, 2),
        num(row.pgExecutionCores, 2),
        `${num(row.pgConnections)}${row.pgConnections > PG_MAX_CONNECTIONS ? ' (over 100)' : ''}`,
      ]),
    ),
  ];
  return `${lines.join('\n')}\n`;
}
