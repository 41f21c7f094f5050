/**
 * How an AuthpairError becomes an HTTP answer: the one renderer, driven by
 * the catalogue in `errors.ts` (status, title, OAuth error, RFC 6750
 * challenge, Retry-After). Pure functions, no I/O: the services' Koa error
 * handler and the verifier's framework adapters both call them, so a
 * challenge reads the same whoever sends it.
 */
import { type AuthpairError, errorDefinition, oauthErrorFor } from './errors';
import type { OAuthErrorResponse } from './oauth';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails, problemType } from './problem';

/** RFC 6749 §5.2 and RFC 6750 §3: descriptions are printable ASCII without `"` and `\`. */
const NOT_DESCRIPTION_TEXT = /[^\x20\x21\x23-\x5B\x5D-\x7E]/g;

/** Retry-After for a retryable error that did not say how long (seconds). */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/**
 * The RFC 9457 body of an error. A 5xx carries the request id, when there
 * is one, which is also in the log.
 */
export function problemBody(
  error: AuthpairError,
  instance: string,
  requestId?: string,
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
  if (status >= 500 && requestId !== undefined) body.request_id = requestId;
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
  requestId?: string,
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

/** A whole answer to write: status, headers and the serialised body. */
export interface ProblemResponse {
  status: number;
  headers: Record<string, string>;
  body: ProblemDetails;
}

/**
 * The complete problem answer of an error on a bearer-protected route:
 * status, `WWW-Authenticate` for `realm`, `Retry-After` when retryable,
 * `Content-Type: application/problem+json` and `Cache-Control: no-store`.
 * What a framework adapter writes; the services' error handler composes
 * the same pieces.
 */
export function problemResponse(
  error: AuthpairError,
  { realm, instance, requestId }: { realm?: string; instance: string; requestId?: string },
): ProblemResponse {
  return {
    status: errorDefinition(error.code).status,
    headers: {
      ...problemHeaders(error, realm),
      'Cache-Control': 'no-store',
      'Content-Type': PROBLEM_CONTENT_TYPE,
    },
    body: problemBody(error, instance, requestId),
  };
}
