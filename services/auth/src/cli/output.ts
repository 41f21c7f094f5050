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
      if (!json) streams.stdout(`${printableLines(line)}\n`);
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

/** Control and format characters: a terminal acts on them (cursor moves, colours, erasing lines). */
const UNPRINTABLE = /[\p{Cc}\p{Cf}]/gu;
const UNPRINTABLE_BUT_NEWLINE = /(?!\n)[\p{Cc}\p{Cf}]/gu;

const shown = (char: string) => `\\u{${(char.codePointAt(0) as number).toString(16)}}`;

/**
 * Text from the database made safe for a terminal: each control or format
 * character is shown as `\u{…}` instead of being acted on. Rows can be
 * written by someone other than this service (a kid or a username set with
 * SQL), and must not rewrite or hide the lines an operator reads.
 */
export function printableCell(text: string): string {
  return text.replace(UNPRINTABLE, shown);
}

/** printableCell for text of several lines: line breaks kept, every other control shown. */
export function printableLines(text: string): string {
  return text.replace(UNPRINTABLE_BUT_NEWLINE, shown);
}

/** Columns padded to their widest cell, separated by two spaces; cells made printable. */
export function table(header: string[], rawRows: string[][]): string {
  const rows = rawRows.map((row) => row.map(printableCell));
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
