import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { capacityMarkdown } from './capacity';
import { renderChart } from './chart';
import { ROOT } from './process';
import {
  CAPACITY_MARKERS,
  RESULTS_MARKERS,
  type Report,
  replaceBlock,
  resultsMarkdown,
} from './report';

export const LATEST_JSON = 'test/bench/results/latest.json';
export const PERFORMANCE_DOC = 'docs/performance.md';
export const PERFORMANCE_CHART = 'docs/performance.svg';
export const SCALING_DOC = 'docs/scaling.md';
/** The chart as docs/performance.md links it. */
export const CHART_LINK = 'performance.svg';

/**
 * Writes a run's results. A full run is the record: latest.json, and from
 * it the table in docs/performance.md (between its markers) and the chart
 * beside it. A quick or partial run goes beside them under
 * test/bench/results/ (ignored by git), so neither replaces the record.
 */
export function writeResults(report: Report): { markdown: string; files: string[] } {
  const dir = join(ROOT, 'test/bench/results');
  mkdirSync(dir, { recursive: true });
  if (report.mode === 'full' && report.only === undefined) {
    const markdown = resultsMarkdown(report, CHART_LINK);
    writeFileSync(join(ROOT, LATEST_JSON), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(ROOT, PERFORMANCE_CHART), renderChart(report));
    const doc = join(ROOT, PERFORMANCE_DOC);
    writeFileSync(doc, replaceBlock(readFileSync(doc, 'utf8'), markdown, RESULTS_MARKERS));
    const scaling = join(ROOT, SCALING_DOC);
    writeFileSync(
      scaling,
      replaceBlock(readFileSync(scaling, 'utf8'), capacityMarkdown(report), CAPACITY_MARKERS),
    );
    return { markdown, files: [LATEST_JSON, PERFORMANCE_DOC, PERFORMANCE_CHART, SCALING_DOC] };
  }
  const base =
    report.mode === 'quick' && report.only === undefined
      ? 'quick'
      : `only-${report.mode}-${(report.only ?? 'all').replace(/[^a-z0-9-]+/gi, '-')}`;
  const markdown = resultsMarkdown(report, `${base}.svg`);
  writeFileSync(join(dir, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, `${base}.md`), markdown);
  writeFileSync(join(dir, `${base}.svg`), renderChart(report));
  return {
    markdown,
    files: [`${base}.json`, `${base}.md`, `${base}.svg`].map((f) => `test/bench/results/${f}`),
  };
}
