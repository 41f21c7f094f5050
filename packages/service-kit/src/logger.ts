import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/** Names this project gives secrets, and the headers that carry credentials. */
const SECRET_KEYS = [
  'password',
  'current_password',
  'new_password',
  'token',
  'access_token',
  'refresh_token',
  'privateKey',
  'private_key',
  'authorization',
  'cookie',
];

/** Where such a key could sit in something passed to the logger. */
const SECRET_CONTAINERS = ['', 'body.', 'input.', 'headers.', 'req.headers.', 'req.body.'];

/**
 * Paths that must never reach a log line, whatever a caller passes. Spelled
 * out rather than wildcards (`*.password`): pino's redaction of a wildcard
 * walks every logged object and cost 8 µs a line, most of a fast request.
 */
export const REDACTED_PATHS = SECRET_CONTAINERS.flatMap((container) =>
  SECRET_KEYS.map((key) => `${container}${key}`),
);

/** Lines are written when this much is buffered, or every FLUSH_INTERVAL_MS. */
const BUFFER_BYTES = 4096;
const FLUSH_INTERVAL_MS = 250;

type Destination = ReturnType<typeof pino.destination>;
let stdout: Destination | undefined;

function flushQuietly(destination: Destination): void {
  try {
    destination.flushSync();
  } catch {
    // stdout closed under us: nothing left to write to
  }
}

/**
 * The process's stdout as one buffered writer shared by every logger in it:
 * a line costs a memory copy, and the buffer goes out in one write when it
 * holds 4 KB, or within 250 ms on a quiet service. Writing each line as it
 * comes made one syscall per request. Whatever is buffered is written on
 * exit, an uncaught exception's exit included; onShutdownSignal flushes too.
 */
function stdoutDestination(): Destination {
  if (stdout === undefined) {
    const destination = pino.destination({ dest: 1, sync: true, minLength: BUFFER_BYTES });
    setInterval(() => flushQuietly(destination), FLUSH_INTERVAL_MS).unref();
    process.once('exit', () => flushQuietly(destination));
    stdout = destination;
  }
  return stdout;
}

/** How deep a chain of `cause`s is followed in a log line. */
const MAX_CAUSES = 3;

/**
 * An error as a log line shows it: its type, message, code and stack, and
 * the same of its causes. Never its other properties: a node-postgres error
 * carries the whole client (type tables, socket state), and pino's default
 * serializer would print all of it.
 */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  const { code } = error as { code?: unknown };
  const line: Record<string, unknown> = { type: error.name, message: error.message };
  if (typeof code === 'string' || typeof code === 'number') line.code = code;
  if (error.stack !== undefined) line.stack = error.stack;
  if (error.cause !== undefined && depth < MAX_CAUSES)
    line.cause = serializeError(error.cause, depth + 1);
  return line;
}

export interface LoggerSettings {
  service: string;
  level: string;
  /** A destination stream, for tests that read the log. */
  destination?: NodeJS.WritableStream;
}

/** One JSON line per event on stdout, secrets redacted, service name on every line. */
export function createLogger({ service, level, destination }: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: serializeError },
  };
  return pino(options, destination ?? stdoutDestination());
}
