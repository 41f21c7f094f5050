/** Where a command prints: text for people, or one JSON document for scripts. */
export interface Output {
  /** Whether `--json` was given. */
  readonly json: boolean;
  /** A line (or lines) of text; ignored under `--json`. */
  text(line?: string): void;
  /** The JSON result; printed only under `--json`. */
  result(value: unknown): void;
}

export interface Streams {
  stdout: (chunk: string) => void;
  stderr: (chunk: string) => void;
}

export function createOutput(json: boolean, streams: Streams): Output {
  return {
    json,
    text(line = '') {
      if (!json) streams.stdout(`${line}\n`);
    },
    result(value) {
      if (json) streams.stdout(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
}

/** `2026-05-01 12:00:00Z`: UTC to the second, readable and sortable. */
export function formatTime(date: Date | null | undefined): string {
  if (date === null || date === undefined) return '-';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** Columns padded to their widest cell, separated by two spaces. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
