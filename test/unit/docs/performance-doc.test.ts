import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { capacityMarkdown } from '../../bench/capacity';
import { renderChart } from '../../bench/chart';
import {
  CAPACITY_MARKERS,
  currentBlock,
  RESULTS_MARKERS,
  type Report,
  resultsMarkdown,
} from '../../bench/report';
import {
  CHART_LINK,
  LATEST_JSON,
  PERFORMANCE_CHART,
  PERFORMANCE_DOC,
  SCALING_DOC,
} from '../../bench/results';

const root = join(__dirname, '../../..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

describe('the documents the bench generates from test/bench/results/latest.json', () => {
  const report = JSON.parse(read(LATEST_JSON)) as Report;

  it('docs/performance.md shows the table generated from it', () => {
    expect(currentBlock(read(PERFORMANCE_DOC), RESULTS_MARKERS)).toBe(
      resultsMarkdown(report, CHART_LINK),
    );
  });

  it('docs/performance.svg is the chart drawn from it', () => {
    expect(read(PERFORMANCE_CHART)).toBe(renderChart(report));
  });

  it('docs/scaling.md shows the capacity model computed from it', () => {
    expect(currentBlock(read(SCALING_DOC), CAPACITY_MARKERS)).toBe(capacityMarkdown(report));
  });
});
