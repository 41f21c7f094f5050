import { fmt, LOAD_NAMES, type LoadId, type ProtectedRow, type Report } from './report';

/**
 * The chart beside the table: requests per second per server and load, one
 * horizontal bar each, and each target drawn as a mark on the bar that must
 * reach it. Plain SVG written by hand, deterministic for a given report (a
 * unit test compares the committed file with it).
 */

interface Mark {
  load: LoadId;
  server: string;
  /** requests/s the bar must reach. */
  rps: number;
  label: string;
}

function rowOf(report: Report, load: LoadId, server: string): ProtectedRow | undefined {
  const row = report.protected.find((r) => r.load === load && r.server === server);
  return row?.available ? row : undefined;
}

/** Every target expressed as requests/s on its subject's bar (when its references were measured). */
function marks(report: Report): Mark[] {
  const rps = (load: LoadId, server: string) => rowOf(report, load, server)?.rps;
  const mark = (
    load: LoadId,
    server: string,
    threshold: number | undefined,
    label: string,
  ): Mark[] => (threshold === undefined ? [] : [{ load, server, rps: threshold, label }]);
  const times = (factor: number, value: number | undefined) =>
    value === undefined ? undefined : factor * value;
  const expressJwt = rps('same', 'express-jwt');
  const bareExpress = rps('same', 'express');
  const expressBar =
    expressJwt === undefined || bareExpress === undefined
      ? undefined
      : Math.min(4 * expressJwt, 0.8 * bareExpress);
  return [
    ...mark(
      'same',
      'fastify-verifier',
      times(1.5, rps('same', 'fastify-jwt')),
      '1.5x @fastify/jwt',
    ),
    ...mark('same', 'koa-verifier', times(0.8, rps('same', 'koa')), '0.8x bare Koa'),
    ...mark(
      'same',
      'express-verifier',
      expressBar,
      expressJwt !== undefined && bareExpress !== undefined && 4 * expressJwt <= 0.8 * bareExpress
        ? '4x express-jwt'
        : '0.8x bare Express',
    ),
    ...mark('same', 'resource', times(1.0, rps('same', 'fastify-jwt')), '1.0x @fastify/jwt'),
    ...mark(
      'same',
      'resource',
      times(1.5, rps('same', 'fastify-jwt-logger')),
      '1.5x @fastify/jwt, logger on',
    ),
    ...mark(
      'distinct',
      'koa-verifier',
      times(0.97, rps('distinct', 'koa-jose')),
      '0.97x Koa + jose',
    ),
  ];
}

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function colour(row: ProtectedRow): string {
  if (row.server === 'resource') return '#d9480f';
  if (row.server.endsWith('-verifier')) return '#1971c2';
  if (['node-http', 'koa', 'express', 'fastify'].includes(row.server)) return '#adb5bd';
  return '#495057';
}

export function renderChart(report: Report): string {
  const width = 960;
  const labelWidth = 250;
  const barLeft = labelWidth + 10;
  const barSpace = width - barLeft - 90;
  const rowHeight = 24;
  const targetMarks = marks(report);
  const max = Math.max(
    1,
    ...report.protected.filter((r) => r.available).map((r) => r.rps),
    ...targetMarks.map((m) => m.rps),
  );
  const scale = (rps: number) => (rps / max) * barSpace;
  const parts: string[] = [];
  let y = 28;
  parts.push(
    `<text x="10" y="18" font-size="14" font-weight="bold">Requests per second, one server on one core (${xml(report.mode)} run, ${xml(report.date.slice(0, 10))})</text>`,
  );
  for (const load of ['same', 'distinct'] as const) {
    const rows = report.protected.filter((row) => row.load === load);
    if (rows.length === 0) continue;
    y += 22;
    parts.push(
      `<text x="10" y="${y}" font-size="13" font-weight="bold">${xml(LOAD_NAMES[load])}</text>`,
    );
    y += 8;
    for (const row of rows) {
      // Each target on this bar gets a line of its own above it: its label, then the mark.
      const rowMarks = targetMarks
        .filter((m) => m.load === load && m.server === row.server)
        .sort((a, b) => a.rps - b.rps);
      const labelsHeight = rowMarks.length * 13;
      const top = y + labelsHeight;
      const middle = top + rowHeight / 2 + 4;
      parts.push(`<text x="${labelWidth}" y="${middle}" text-anchor="end">${xml(row.name)}</text>`);
      if (row.available) {
        const length = Math.max(1, scale(row.rps));
        parts.push(
          `<rect x="${barLeft}" y="${top + 3}" width="${length.toFixed(1)}" height="${rowHeight - 6}" fill="${colour(row)}"/>`,
          `<text x="${(barLeft + length + 6).toFixed(1)}" y="${middle}">${fmt(row.rps)}</text>`,
        );
      } else {
        parts.push(
          `<rect x="${barLeft}" y="${top + 3}" width="${barSpace}" height="${rowHeight - 6}" fill="none" stroke="#ced4da" stroke-dasharray="4 3"/>`,
          `<text x="${barLeft + 8}" y="${middle}" fill="#868e96">${xml(row.note ?? 'not measured')}</text>`,
        );
      }
      rowMarks.forEach((mark, index) => {
        const x = barLeft + scale(mark.rps);
        const labelY = y + 10 + index * 13;
        // Labels right of the mark, or left of it when they would run off the chart.
        const anchor = x > width - 260 ? 'end' : 'start';
        const labelX = anchor === 'end' ? x - 4 : x + 4;
        parts.push(
          `<line x1="${x.toFixed(1)}" y1="${labelY - 9}" x2="${x.toFixed(1)}" y2="${top + rowHeight - 2}" stroke="#e03131" stroke-width="2"/>`,
          `<text x="${labelX.toFixed(1)}" y="${labelY}" font-size="10" fill="#c92a2a" text-anchor="${anchor}">${xml(`target: ${mark.label} = ${fmt(mark.rps)}/s`)}</text>`,
        );
      });
      y = top + rowHeight;
    }
  }
  y += 18;
  parts.push(
    `<text x="10" y="${y}" font-size="11" fill="#495057">Red marks: where a bar must reach for its target. Orange: the authpair resource service; blue: @authpair/verifier; grey: framework floors (no verification); dark: verifying peers.</text>`,
  );
  y += 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="Helvetica, Arial, sans-serif" font-size="12" role="img" aria-labelledby="chart-title">`,
    '<title id="chart-title">Requests per second per server and load, the targets marked</title>',
    `<rect width="${width}" height="${y}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
