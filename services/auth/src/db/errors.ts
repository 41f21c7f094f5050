import { AuthpairError } from '@authpair/contracts';

/** SQLSTATE of a unique-constraint violation. */
const UNIQUE_VIOLATION = '23505';

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether `error` is a unique violation of the named constraint. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  return (
    sqlState(error) === UNIQUE_VIOLATION &&
    (error as { constraint?: unknown }).constraint === constraint
  );
}

const UNAVAILABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);

/**
 * Whether `error` means "the database is not usable right now" rather than
 * "this query is wrong": refused or dropped connections, pool or statement
 * timeouts, and the server's own shutdown and overload states.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = sqlState(error);
  if (code !== undefined) {
    if (UNAVAILABLE_NETWORK_CODES.has(code)) return true;
    // 08: connection exception; 57P01-57P03: admin/crash shutdown, cannot connect now;
    // 53300: too many connections; 57014: statement timeout.
    if (code.startsWith('08') || code.startsWith('57P') || code === '53300' || code === '57014')
      return true;
  }
  const message = (error as { message?: unknown }).message;
  return (
    typeof message === 'string' &&
    /timeout exceeded when trying to connect|Connection terminated|Query read timeout|connect ECONNREFUSED|Client has encountered a connection error/i.test(
      message,
    )
  );
}

/** Seconds a client should wait before retrying while the database is unavailable. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * The error handler's view of a database failure: "unavailable" is an
 * expected state of operation, a 503 with Retry-After, never a 500.
 * Anything else is not ours to classify (undefined).
 */
export function classifyDatabaseError(error: unknown): AuthpairError | undefined {
  if (!isDatabaseUnavailable(error)) return undefined;
  return new AuthpairError('service_unavailable', 'the database is unavailable; retry later', {
    cause: error,
    retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
  });
}
