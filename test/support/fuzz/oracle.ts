/**
 * What every answer of either service must be, whatever was sent: no 5xx
 * but a documented one, nothing internal in the body, the problem format
 * with a catalogue code, a request id only where the README promises it,
 * and a documented success for a valid request.
 */
import { type ApiOperation, ERROR_CATALOGUE, type ErrorCode } from '@authpair/contracts';
import type { FuzzCase } from './cases';
import type { RawResponse } from './send';

/** The 503s the catalogue documents (each with Retry-After): a dependency or capacity is missing. */
const DOCUMENTED_503: readonly ErrorCode[] = [
  'service_unavailable',
  'jwks_unavailable',
  'revocation_unavailable',
];

/** Methods both services know; any other is `501 not_implemented`, as the README's error table says. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/** Operations whose success body is a document or a script, not data (their text is not scanned). */
const DOCUMENTS = new Set(['openApiDocument', 'apiReference', 'apiReferenceScript', 'metrics']);

/** Signs of internals in a body. */
const LEAKS: ReadonlyArray<[string, RegExp]> = [
  ['a stack frame', /(?:^|\\n|\n)\s*at [^\s]+ \(|\bat (?:async )?[\w$.<>]+ \([^)]*:\d+:\d+\)/],
  ['a source path', /(?:\/[\w.@-]+)+\.(?:[cm]?[jt]s)\b|node_modules|\/(?:work|home|app|usr|src)\//],
  [
    'SQL',
    /\b(?:SELECT\s[\s\S]+?\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|ON\s+CONFLICT|RETURNING)\b/i,
  ],
  [
    'PostgreSQL error text',
    /relation "|violates [\w ]*constraint|syntax error at or near|duplicate key value|invalid input syntax|invalid byte sequence|out of range for type|SQLSTATE|current transaction is aborted|could not serialize|deadlock detected|canceling statement|terminating connection|ECONNREFUSED|ETIMEDOUT/i,
  ],
  [
    'a JavaScript error',
    /\b(?:TypeError|ReferenceError|RangeError|SyntaxError|URIError|AggregateError)\b|Cannot read propert|is not a function|is not defined|Unexpected token|Unexpected end of JSON|in JSON at position/,
  ],
];

export interface Verdict {
  /** What is wrong with the answer; empty when nothing is. */
  violations: string[];
  /** The problem `code`, when the answer is an error. */
  code?: string;
}

/** Removes what the request itself put there, so an echo of the input is not taken for a leak. */
function withoutEchoes(text: string, echoes: readonly string[]): string {
  let out = text;
  for (const echo of [...echoes].sort((a, b) => b.length - a.length)) {
    const escaped = JSON.stringify(echo).slice(1, -1);
    out = out.split(echo).join('«echo»').split(escaped).join('«echo»');
  }
  return out;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function judge(
  operation: ApiOperation,
  fuzzCase: FuzzCase,
  response: RawResponse,
  echoes: readonly string[],
): Verdict {
  const violations: string[] = [];
  const { status } = response;
  const body = parse(response.text) as Record<string, unknown> | undefined;
  const isHead = fuzzCase.method === 'HEAD';
  const code = typeof body?.code === 'string' ? body.code : undefined;

  if (status >= 500) {
    const documented503 =
      status === 503 && code !== undefined && (DOCUMENTED_503 as string[]).includes(code);
    const documented501 =
      status === 501 &&
      !KNOWN_METHODS.has(fuzzCase.method) &&
      (isHead || code === 'not_implemented');
    if (!documented503 && !documented501) violations.push(`an undocumented ${status}`);
    if (status === 503 && response.headers['retry-after'] === undefined)
      violations.push('a 503 without Retry-After');
  }

  const scanned = !(DOCUMENTS.has(operation.operationId) && status < 400);
  if (scanned && response.text !== '') {
    const text = withoutEchoes(response.text, echoes);
    for (const [what, pattern] of LEAKS) {
      const match = pattern.exec(text);
      if (match) violations.push(`${what} in the body: ${JSON.stringify(match[0].slice(0, 80))}`);
    }
  }

  if (body !== undefined && typeof body === 'object' && body !== null && 'request_id' in body) {
    if (status < 500) violations.push(`request_id in a ${status} body`);
  } else if (status >= 500 && status !== 501 && !isHead && response.text !== '')
    violations.push(`no request_id in a ${status} body`);

  // An error from our code is a problem with a catalogue code and the catalogue's status.
  // (Node's own parser answers a request it cannot read with a bare 400 before the app.)
  if (status >= 400 && !isHead && response.text !== '') {
    if (code === undefined) violations.push(`a ${status} without a problem code`);
    else if (!(code in ERROR_CATALOGUE))
      violations.push(`the code ${code} is not in the catalogue`);
    else if (ERROR_CATALOGUE[code as ErrorCode].status !== status)
      violations.push(`${code} answered with ${status}`);
  }

  // A valid request gets a documented success, or a documented 503 (checked above) on a busy machine.
  if (fuzzCase.variant === 'valid' && !(status in operation.responses) && status !== 503)
    violations.push(`a valid request answered ${status} ${code ?? ''}`.trim());

  return { violations, ...(code === undefined ? {} : { code }) };
}
