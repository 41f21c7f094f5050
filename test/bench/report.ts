import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './process';

/** One line of the results table: a server under one load. */
export interface Row {
  load: string;
  server: string;
  rps: number;
  p50: number;
  p99: number;
  failures: number;
  peakRssMb: number;
  /** e.g. "1.72x fastify + @fastify/jwt (target >= 1.5x)" */
  ratio?: string;
  note?: string;
}

export interface Report {
  date: string;
  mode: 'full' | 'quick';
  /** `--only=<loads>`: a partial run, kept apart from the full table. */
  only?: string;
  machine: { cpus: number; node: string };
  settings: Record<string, string | number>;
  rows: Row[];
  checks: Array<{ target: string; measured: string; met: boolean }>;
}

const fmt = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', {
        maximumFractionDigits: digits,
        minimumFractionDigits: digits,
      })
    : 'n/a';

export function toMarkdown(report: Report): string {
  const lines = [
    `Measured ${report.date} (${report.mode} mode) on ${report.machine.cpus} cores, Node ${report.machine.node}; ` +
      `/protected and refresh rows: medians of ${report.settings.runs} run(s) of ${report.settings.durationSeconds} s, ${report.settings.connections} connections; ` +
      `the login flood: one run of ${Number(report.settings.durationSeconds) * 3} s.`,
    '',
    '| load | server | requests/s | p50 ms | p99 ms | failures | peak RSS MB | ratio |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...report.rows.map(
      (row) =>
        `| ${row.load} | ${row.server} | ${fmt(row.rps, row.rps < 100 ? 2 : 0)} | ${fmt(row.p50, 1)} | ${fmt(row.p99, 1)} | ${row.failures} | ${fmt(row.peakRssMb)} | ${[row.ratio, row.note].filter(Boolean).join(' ')} |`,
    ),
    '',
    '| target | measured | met |',
    '| --- | --- | --- |',
    ...report.checks.map(
      (check) => `| ${check.target} | ${check.measured} | ${check.met ? 'yes' : '**no**'} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

/**
 * Writes the report as JSON and Markdown under test/bench/results/: a full
 * run as `latest` (committed, linked from the README); a quick or partial
 * run beside it (ignored by git), so neither overwrites the full table.
 */
export function writeReport(report: Report): string {
  const dir = join(ROOT, 'test/bench/results');
  mkdirSync(dir, { recursive: true });
  const base =
    report.mode === 'quick'
      ? 'quick'
      : report.only === undefined
        ? 'latest'
        : `only-${report.only}`;
  writeFileSync(join(dir, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, `${base}.md`), toMarkdown(report));
  return join(dir, `${base}.md`);
}
