/**
 * The results file's shape (test/bench/results/latest.json is the source of
 * every figure in docs/performance.md) and the Markdown made from it. Pure:
 * no I/O here, so a unit test can check the committed table against it.
 */

export type LoadId = 'same' | 'distinct';

export const LOAD_NAMES: Record<LoadId, string> = {
  same: '/protected, same token',
  distinct: '/protected, every token distinct',
};

/** One server under one /protected load: medians of the rounds. */
export interface ProtectedRow {
  load: LoadId;
  /** Server id (servers.ts). */
  server: string;
  name: string;
  /** False for a row wired but not runnable here (see note). */
  available: boolean;
  note?: string;
  rps: number;
  p50: number;
  p99: number;
  failures: number;
  peakRssMb: number;
  /** Server CPU time (all its threads) per request, µs. */
  cpuUsPerRequest: number;
  /** Server CPU seconds per second of the run: 1.0 is its core, all of it. */
  serverCpuShare: number;
  /** The load generator's CPU seconds per second of the run. */
  generatorCpuShare: number;
  /** requests/s of each round, in round order. */
  rounds: number[];
}

/** An auth-service row: the login flood, /healthz beside it, or refresh rotation. */
export interface AuthRow {
  /** How the service runs: `npm start`'s configuration, or Compose. */
  deployment: string;
  load: string;
  /** False when this deployment could not be measured here (see note). */
  measured: boolean;
  rps: number;
  p50: number;
  p99: number;
  failures: number;
  peakRssMb: number;
  note?: string;
}

/** One statement's share of an operation, from pg_stat_statements. */
export interface StatementCost {
  /** The statement's first words, normalised. */
  statement: string;
  callsPerOperation: number;
  rowsPerOperation: number;
  msPerOperation: number;
  walBytesPerOperation: number;
  writes: boolean;
}

/** What one login or refresh costs PostgreSQL. */
export interface DatabaseCost {
  operation: string;
  operations: number;
  statementsPerOperation: number;
  /** INSERT, UPDATE and DELETE statements (a CTE that writes counts once). */
  writesPerOperation: number;
  walBytesPerOperation: number;
  msPerOperation: number;
  statements: StatementCost[];
}

/** One phase of the feed simulation. */
export interface FeedPhase {
  phase: string;
  pollers: number;
  polls: number;
  pollsPerSecond: number;
  /** Auth process CPU per poll, µs. */
  authCpuUsPerPoll: number;
  /** Auth process CPU seconds per second. */
  authCpuShare: number;
  /** PostgreSQL execution time of the feed query per poll, ms (pg_stat_statements). */
  pgMsPerPoll: number;
  /** Revocations handed out per poll. */
  rowsPerPoll: number;
  p50: number;
  p99: number;
  failures: number;
  /** Sessions ended during the phase. */
  revocations: number;
  /** Every poller saw every session ended during the phase. */
  complete: boolean;
  /** From the last revocation's commit until the last poller had it, ms. */
  propagationMs: number;
}

export type TargetStatus = 'met' | 'held once' | 'not met' | 'not available yet' | 'not measured';

export interface Target {
  id: string;
  /** What must hold, as the issue puts it. */
  text: string;
  /** The measured value in the target's unit (a ratio, MB, ms); null when not measured. */
  value: number | null;
  /** How the value is shown: "1.32x", "142 MB", "11.9 ms". */
  shown: string;
  holds: boolean | null;
  /** Extra facts: the other ratio of an either-or target, the CPU-time ratio. */
  detail?: string;
  /** The previous full run's value, if it measured this target. */
  previous?: { shown: string; holds: boolean | null; date: string };
  status: TargetStatus;
}

export interface Report {
  date: string;
  mode: 'full' | 'quick';
  /** `--only=<sections>`: a partial run, kept apart from latest.json. */
  only?: string;
  machine: {
    cpus: number;
    node: string;
    /** 1-minute load average when the run started and when it ended. */
    loadAverage: { start: number; end: number };
  };
  method: {
    /** e.g. "wrk 4.1.0, one thread, 50 connections" or the autocannon fallback and why. */
    generator: string;
    /** e.g. "server on core 1, generator and harness on core 0", or why not. */
    pinning: string;
    /** Where the distinct tokens come from. */
    tokens: string;
  };
  settings: Record<string, unknown>;
  /** Single-thread reference rates measured on this machine during the auth section. */
  reference?: { bcryptCost: number; bcryptComparesPerCore: number; joseSignsPerCore: number };
  protected: ProtectedRow[];
  auth: AuthRow[];
  database: DatabaseCost[];
  feed: FeedPhase[];
  targets: Target[];
}

export const fmt = (value: number, digits = 0): string =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', {
        maximumFractionDigits: digits,
        minimumFractionDigits: digits,
      })
    : 'n/a';

const pct = (share: number) => (Number.isFinite(share) ? `${Math.round(share * 100)}%` : 'n/a');

/**
 * A Markdown table laid out as Biome formats Markdown (every column padded
 * to its widest cell, at least 3), so the generated block passes `biome check`.
 */
export function table(header: string[], align: string[], rows: string[][]): string[] {
  const width = (text: string) => [...text].length;
  const widths = header.map((_, column) =>
    Math.max(3, ...[header, ...rows].map((row) => width(row[column] ?? ''))),
  );
  const right = align.map((a) => a.endsWith(':'));
  const line = (cells: string[]) =>
    `| ${cells
      .map((cell, column) => {
        const pad = ' '.repeat((widths[column] ?? 3) - width(cell));
        return right[column] ? pad + cell : cell + pad;
      })
      .join(' | ')} |`;
  const rule = `| ${widths
    .map((w, column) => (right[column] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)))
    .join(' | ')} |`;
  return [line(header), rule, ...rows.map((row) => line(header.map((_, c) => row[c] ?? '')))];
}

function protectedTable(report: Report): string[] {
  return table(
    [
      'load',
      'server',
      'requests/s',
      'server CPU µs/request',
      'p50 ms',
      'p99 ms',
      'peak RSS MB',
      'server core busy',
      'generator core busy',
      'failures',
      'rounds (requests/s)',
    ],
    ['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---'],
    report.protected.map((row) =>
      row.available
        ? [
            LOAD_NAMES[row.load],
            row.server === 'resource' ? `**${row.name}**` : row.name,
            fmt(row.rps),
            fmt(row.cpuUsPerRequest),
            fmt(row.p50, 1),
            fmt(row.p99, 1),
            fmt(row.peakRssMb),
            pct(row.serverCpuShare),
            pct(row.generatorCpuShare),
            String(row.failures),
            row.rounds.map((rps) => fmt(rps)).join(', '),
          ]
        : [
            LOAD_NAMES[row.load],
            row.name,
            row.note ?? 'not measured',
            '',
            '',
            '',
            '',
            '',
            '',
            '',
            '',
          ],
    ),
  );
}

function authTable(report: Report): string[] {
  return table(
    ['deployment', 'load', 'requests/s', 'p50 ms', 'p99 ms', 'failures', 'peak RSS MB', 'note'],
    ['---', '---', '---:', '---:', '---:', '---:', '---:', '---'],
    report.auth.map((row) =>
      row.measured
        ? [
            row.deployment,
            row.load,
            fmt(row.rps, row.rps < 100 ? 2 : 0),
            fmt(row.p50, 1),
            fmt(row.p99, 1),
            String(row.failures),
            fmt(row.peakRssMb),
            row.note ?? '',
          ]
        : [row.deployment, row.load, 'not measured', '', '', '', '', row.note ?? ''],
    ),
  );
}

function databaseTables(report: Report): string[] {
  if (report.database.length === 0) return [];
  const summary = table(
    [
      'operation',
      'measured over',
      'statements',
      'of them writes',
      'WAL bytes',
      'PostgreSQL ms (execution)',
    ],
    ['---', '---:', '---:', '---:', '---:', '---:'],
    report.database.map((cost) => [
      `one ${cost.operation}`,
      fmt(cost.operations),
      fmt(cost.statementsPerOperation, 1),
      fmt(cost.writesPerOperation, 1),
      fmt(cost.walBytesPerOperation),
      fmt(cost.msPerOperation, 2),
    ]),
  );
  const detail = report.database.flatMap((cost) =>
    cost.statements.map((statement) => [
      cost.operation,
      `\`${statement.statement}\``,
      fmt(statement.callsPerOperation, 2),
      statement.writes ? 'yes' : '',
      fmt(statement.rowsPerOperation, 2),
      fmt(statement.walBytesPerOperation),
      fmt(statement.msPerOperation, 3),
    ]),
  );
  return [
    ...summary,
    '',
    '<details><summary>Statements per operation (pg_stat_statements)</summary>',
    '',
    ...table(
      ['operation', 'statement', 'calls', 'writes', 'rows', 'WAL bytes', 'ms'],
      ['---', '---', '---:', '---', '---:', '---:', '---:'],
      detail,
    ),
    '',
    '</details>',
  ];
}

function feedTable(report: Report): string[] {
  if (report.feed.length === 0) return [];
  return table(
    [
      'phase',
      'pollers',
      'polls/s',
      'auth CPU µs/poll',
      'auth core busy (polls only)',
      'PostgreSQL ms/poll',
      'revocations/poll',
      'p50 ms',
      'p99 ms',
      'failures',
      'sessions ended',
      'every poller saw every one',
      'last poller had the last one after',
    ],
    [
      '---',
      '---:',
      '---:',
      '---:',
      '---:',
      '---:',
      '---:',
      '---:',
      '---:',
      '---:',
      '---:',
      '---',
      '---:',
    ],
    report.feed.map((phase) =>
      phase.pollers === 0
        ? [
            phase.phase,
            '0',
            '',
            '',
            `${pct(phase.authCpuShare)} (idle)`,
            '',
            '',
            '',
            '',
            '',
            '',
            '',
            '',
          ]
        : [
            phase.phase,
            fmt(phase.pollers),
            fmt(phase.pollsPerSecond, 1),
            fmt(phase.authCpuUsPerPoll),
            pct(phase.authCpuShare),
            fmt(phase.pgMsPerPoll, 3),
            fmt(phase.rowsPerPoll, 2),
            fmt(phase.p50, 1),
            fmt(phase.p99, 1),
            String(phase.failures),
            fmt(phase.revocations),
            phase.revocations === 0 ? '' : phase.complete ? 'yes' : '**no**',
            phase.revocations === 0 ? '' : `${fmt(phase.propagationMs)} ms`,
          ],
    ),
  );
}

function targetTable(report: Report): string[] {
  return table(
    ['target', 'this run', 'previous full run', 'status'],
    ['---', '---', '---', '---'],
    report.targets.map((target) => [
      target.text,
      [target.shown, target.detail].filter(Boolean).join('; '),
      target.previous === undefined ? '' : target.previous.shown,
      target.status === 'met' || target.status === 'held once'
        ? target.status
        : `**${target.status}**`,
    ]),
  );
}

/** The conditions of the run, in one paragraph. */
function conditions(report: Report): string {
  const s = report.settings;
  return [
    `Measured ${report.date} (${report.mode} run${report.only ? `, only ${report.only}` : ''}) on ${report.machine.cpus} cores, Node ${report.machine.node};`,
    `load average ${report.machine.loadAverage.start.toFixed(1)} at the start and ${report.machine.loadAverage.end.toFixed(1)} at the end.`,
    `Load generator: ${report.method.generator}. Pinning: ${report.method.pinning}.`,
    `/protected rows: medians of ${String(s.runs)} round(s) of ${String(s.durationSeconds)} s after a ${String(s.warmupSeconds)} s warm-up, a fresh server process each round.`,
    `Distinct tokens: ${report.method.tokens}.`,
  ].join(' ');
}

/** Everything the bench writes between the markers of docs/performance.md. */
export function resultsMarkdown(report: Report, chartPath: string): string {
  const lines = [
    conditions(report),
    '',
    `![requests per second per server and load, targets marked](${chartPath})`,
    '',
    ...protectedTable(report),
    '',
    '**Targets** (a target is met when it holds in two consecutive full runs):',
    '',
    ...targetTable(report),
    '',
    '**Auth service**:',
    '',
    ...authTable(report),
  ];
  const database = databaseTables(report);
  if (database.length > 0)
    lines.push(
      '',
      '**PostgreSQL per login and per refresh** (`npm start` configuration):',
      '',
      ...database,
    );
  const feed = feedTable(report);
  if (feed.length > 0)
    lines.push('', '**Revocation feed, simulated pollers against one auth replica**:', '', ...feed);
  return `${lines.join('\n')}\n`;
}

export interface Markers {
  start: string;
  end: string;
}

export const RESULTS_MARKERS: Markers = {
  start:
    '<!-- bench:results:start (generated by npm run bench from test/bench/results/latest.json; do not edit) -->',
  end: '<!-- bench:results:end -->',
};

export const CAPACITY_MARKERS: Markers = {
  start:
    '<!-- bench:capacity:start (generated by npm run bench from test/bench/results/latest.json; do not edit) -->',
  end: '<!-- bench:capacity:end -->',
};

/** `document` with the block between `markers` replaced by `block`. */
export function replaceBlock(document: string, block: string, markers: Markers): string {
  const start = document.indexOf(markers.start);
  const end = document.indexOf(markers.end);
  if (start < 0 || end < start) throw new Error(`the document lacks the markers ${markers.start}`);
  return `${document.slice(0, start + markers.start.length)}\n${block}${document.slice(end)}`;
}

/** The block between `markers` in `document`, as replaceBlock writes it. */
export function currentBlock(document: string, markers: Markers): string | undefined {
  const start = document.indexOf(markers.start);
  const end = document.indexOf(markers.end);
  if (start < 0 || end < start) return undefined;
  return document.slice(start + markers.start.length + 1, end);
}
