import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths that must never reach a log line, whatever a caller passes: request
 * headers carrying credentials, and the names this project gives secrets.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'password',
  'current_password',
  'new_password',
  'token',
  'access_token',
  'refresh_token',
  'privateKey',
  'private_key',
  '*.password',
  '*.current_password',
  '*.new_password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.privateKey',
  '*.private_key',
];

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
  };
  // Asynchronous writes to stdout: lines logged while a write is in flight go
  // out together in the next one, so a busy service makes far fewer syscalls
  // than with one synchronous write per line. pino flushes what is pending
  // when the process exits; onShutdownSignal flushes before it exits too.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}
