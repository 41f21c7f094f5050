/**
 * The documentation tables that are data elsewhere, rendered to markdown:
 * each service's operations (from the API descriptions the OpenAPI
 * documents are built from) and the error catalogue. Pure; `generate.ts`
 * writes them between markers in docs/, and a unit test fails when a
 * committed table differs from what this renders.
 */
import {
  type ApiDescription,
  type ApiOperation,
  ERROR_CATALOGUE,
  type ErrorCode,
  type ErrorDefinition,
} from '@authpair/contracts';

/** A markdown table, its columns padded so the source reads as a table too. */
export function markdownTable(header: string[], rows: string[][]): string {
  const cells = [header, ...rows].map((row) => row.map((cell) => cell.replace(/\|/g, '\\|')));
  const widths = header.map((_, column) =>
    Math.max(3, ...cells.map((row) => [...(row[column] ?? '')].length)),
  );
  const line = (row: string[]) =>
    `| ${row.map((cell, column) => cell + ' '.repeat((widths[column] ?? 3) - [...cell].length)).join(' | ')} |`;
  return [
    line(cells[0] as string[]),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.slice(1).map(line),
  ].join('\n');
}

const SECURITY: Record<ApiOperation['security'], string> = {
  public: 'none',
  bearer: 'access token',
  admin: 'access token, scope `admin`',
  feed: '`REVOCATION_FEED_TOKEN`',
};

function answers(operation: ApiOperation): string {
  const success = Object.keys(operation.responses).map((status) => `\`${status}\``);
  const problems = operation.problems.map((code) => `\`${ERROR_CATALOGUE[code].status} ${code}\``);
  return [...success, ...problems].join(', ');
}

/** One row per operation, in tag order: method and path, what it does, who may call, what it answers. */
export function apiTable(api: ApiDescription): string {
  const order = new Map(api.tags.map((tag, index) => [tag.name, index]));
  const operations = [...api.operations].sort(
    (a, b) => (order.get(a.tag) ?? 0) - (order.get(b.tag) ?? 0),
  );
  return markdownTable(
    ['operation', 'what it does', 'credentials', 'answers'],
    operations.map((operation) => [
      `\`${operation.method.toUpperCase()} ${operation.path}\``,
      operation.summary,
      SECURITY[operation.security],
      answers(operation),
    ]),
  );
}

function challenge(definition: ErrorDefinition): string {
  if (definition.bearerError === undefined) return '';
  return definition.bearerError === null ? 'bare' : `\`${definition.bearerError}\``;
}

/** The catalogue: code, status, title, when it happens, its OAuth error and RFC 6750 challenge. */
export function errorTable(): string {
  return markdownTable(
    ['code', 'status', 'title', 'when', 'OAuth `error`', 'challenge', 'Retry-After'],
    (Object.entries(ERROR_CATALOGUE) as Array<[ErrorCode, ErrorDefinition]>).map(
      ([code, definition]) => [
        `\`${code}\``,
        String(definition.status),
        definition.title,
        definition.description,
        definition.oauthError === undefined ? '' : `\`${definition.oauthError}\``,
        challenge(definition),
        definition.retryable === true ? 'yes' : '',
      ],
    ),
  );
}

/** `text` with the block between `<!-- generated:name -->` and `<!-- /generated:name -->` replaced. */
export function replaceGenerated(text: string, name: string, content: string): string {
  const start = `<!-- generated:${name} -->`;
  const end = `<!-- /generated:${name} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to < from) throw new Error(`no ${start} … ${end} block`);
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}

/** The generated blocks of each file: file -> block name -> content. */
export function generatedBlocks(apis: {
  auth: ApiDescription;
  resource: ApiDescription;
}): Record<string, Record<string, string>> {
  return {
    'docs/api.md': { 'auth-api': apiTable(apis.auth), 'resource-api': apiTable(apis.resource) },
    'docs/errors.md': { errors: errorTable() },
  };
}
