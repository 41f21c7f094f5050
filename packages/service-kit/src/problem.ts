/**
 * How an AuthpairError becomes an HTTP answer: the one mapping point,
 * driven by the catalogue in `@authpair/contracts` (status, title, OAuth
 * error, RFC 6750 challenge, Retry-After). Routes and domain code throw;
 * the error handler calls these.
 */
import {
  AuthpairError,
  type ErrorCode,
  errorDefinition,
  isAuthpairError,
  type OAuthErrorResponse,
  oauthErrorFor,
  type ProblemDetails,
  problemType,
} from '@authpair/contracts';

/** RFC 6749 §5.2 and RFC 6750 §3: descriptions are printable ASCII without `"` and `\`. */
const NOT_DESCRIPTION_TEXT = /[^\x20\x21\x23-\x5B\x5D-\x7E]/g;

/** Retry-After for a retryable error that did not say how long (seconds). */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** The RFC 9457 body of an error. A 5xx carries the request id, which is also in the log. */
export function problemBody(
  error: AuthpairError,
  instance: string,
  requestId: string,
): ProblemDetails {
  const { status, title } = errorDefinition(error.code);
  const body: ProblemDetails = {
    type: problemType(error.code),
    title,
    status,
    code: error.code,
    instance,
  };
  if (error.detail !== undefined) body.detail = error.detail;
  if (error.errors !== undefined) body.errors = [...error.errors];
  if (error.reason !== undefined) body.reason = error.reason;
  if (status >= 500) body.request_id = requestId;
  return body;
}

/** What the client is told: the detail, else the title (never `message`, which may be internal). */
function descriptionOf(error: AuthpairError): string {
  return error.detail ?? errorDefinition(error.code).title;
}

/**
 * The body on the OAuth endpoints (RFC 6749 §5.2, whose clients require
 * `application/json`): `error` and `error_description`, then the problem's
 * members as extensions.
 */
export function oauthErrorBody(
  error: AuthpairError,
  instance: string,
  requestId: string,
): OAuthErrorResponse {
  return {
    error: oauthErrorFor(error.code),
    error_description: descriptionOf(error).replace(NOT_DESCRIPTION_TEXT, ''),
    ...problemBody(error, instance, requestId),
  };
}

/** RFC 6750 §3: the challenge, with an error code only when credentials were sent. */
export function bearerChallenge(
  realm: string,
  error?: { code: string; description?: string; scope?: string },
): string {
  const parts = [`realm="${realm}"`];
  if (error !== undefined) {
    parts.push(`error="${error.code}"`);
    if (error.description !== undefined)
      parts.push(`error_description="${error.description.replace(NOT_DESCRIPTION_TEXT, '')}"`);
    if (error.scope !== undefined) parts.push(`scope="${error.scope}"`);
  }
  return `Bearer ${parts.join(', ')}`;
}

/**
 * The headers an error is answered with: `Retry-After` for the retryable
 * codes, and on a bearer-protected route (`realm` set) the RFC 6750
 * challenge of the codes that have one.
 */
export function problemHeaders(
  error: AuthpairError,
  realm: string | undefined,
): Record<string, string> {
  const definition = errorDefinition(error.code);
  const headers: Record<string, string> = {};
  if (definition.retryable === true)
    headers['Retry-After'] = String(error.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS);
  if (realm !== undefined && definition.bearerError !== undefined) {
    headers['WWW-Authenticate'] = bearerChallenge(
      realm,
      definition.bearerError === null
        ? undefined
        : {
            code: definition.bearerError,
            description: descriptionOf(error),
            ...(error.scope === undefined ? {} : { scope: error.scope }),
          },
    );
  }
  return headers;
}

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
