/**
 * Where the verifier reports what an operator should know (a JWKS fetch or
 * a feed read that failed, and recovered). Shaped like pino's methods, so a
 * pino logger (or anything with `warn` and `info` taking fields then a
 * message) can be passed as is. Nothing is logged per request.
 */
export interface VerifierLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

/** The default: says nothing. */
export const SILENT_LOGGER: VerifierLogger = { warn() {}, info() {} };
