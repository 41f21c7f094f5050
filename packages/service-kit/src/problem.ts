/**
 * Anything thrown, as an AuthpairError. How an AuthpairError then becomes an
 * HTTP answer is the renderer in `@authpair/contracts`
 * (`problem-response.ts`), re-exported here for the services' code.
 */
import { AuthpairError, type ErrorCode, isAuthpairError } from '@authpair/contracts';

export {
  bearerChallenge,
  DEFAULT_RETRY_AFTER_SECONDS,
  oauthErrorBody,
  problemBody,
  problemHeaders,
} from '@authpair/contracts';

/** Koa's and its middlewares' errors carry an HTTP status and a `type` (raw-body, http-errors). */
interface StatusError {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as StatusError;
  const value = typeof status === 'number' ? status : statusCode;
  return typeof value === 'number' && value >= 400 && value < 600 ? value : undefined;
}

const LIBRARY_PARSE_ERRORS = new Set([
  'entity.parse.failed',
  'encoding.unsupported',
  'charset.unsupported',
]);

/**
 * Anything thrown, as an AuthpairError. Library errors that are the
 * client's fault (a body too large, unparseable or in an unknown charset)
 * keep their 4xx meaning; everything else is a 500 whose cause stays in
 * the log.
 */
export function toAuthpairError(error: unknown): AuthpairError {
  if (isAuthpairError(error)) return error;
  const fromLibrary = (code: ErrorCode, detail?: string) =>
    new AuthpairError(code, detail, { cause: error });
  switch (statusOf(error)) {
    case 400:
      return LIBRARY_PARSE_ERRORS.has((error as StatusError).type as string)
        ? fromLibrary('malformed_body', 'the request body is not valid for its content type')
        : fromLibrary('invalid_request', 'the request could not be read');
    case 404:
      return fromLibrary('not_found');
    case 413:
      return fromLibrary(
        'payload_too_large',
        'the request body exceeds the limit for this endpoint',
      );
    case 415:
      return fromLibrary('unsupported_media_type');
    default:
      return fromLibrary('internal_error');
  }
}
