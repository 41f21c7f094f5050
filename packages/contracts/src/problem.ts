/**
 * RFC 9457 problem details and the closed set of error codes the authpair
 * services answer with. A client switches on `code`; `title` and `detail`
 * are for people and may change.
 */
import { z } from 'zod';

/**
 * Every error code either service can return, with the HTTP status it is
 * sent with. The union is closed: adding a code is a contract change.
 */
export const ERROR_STATUS = {
  /** A field is missing, of the wrong type, or breaks a policy (`errors` says which). */
  validation_failed: 400,
  /** The body is not parseable JSON, or not a JSON object. */
  malformed_body: 400,
  /** The request is malformed in a way RFC 6750 calls `invalid_request`. */
  invalid_request: 400,
  /** RFC 6749 §5.2: the refresh token is malformed, unknown, expired, revoked or already used. */
  invalid_grant: 400,
  /** RFC 6749 §5.2: the token endpoint does not issue tokens for this `grant_type`. */
  unsupported_grant_type: 400,
  /** RFC 6749 §5.2: the request asks for a scope beyond what was granted. */
  invalid_scope: 400,
  /** RFC 6749 §5.2: the client is unknown (a `client_id` this issuer never issued tokens to). */
  invalid_client: 401,
  /** No credentials were sent (RFC 6750 §3.1: no error code in the challenge). */
  missing_credentials: 401,
  /** Unknown username or wrong password; deliberately indistinguishable. */
  invalid_credentials: 401,
  /** The bearer token is malformed, expired, revoked or not for this audience. */
  invalid_token: 401,
  /** The token lacks a scope the endpoint requires (RFC 6750 §3.1). */
  insufficient_scope: 403,
  /** The credentials are right but an administrator disabled the account. */
  account_disabled: 403,
  /** No route has this path. */
  not_found: 404,
  /** The path exists, the method does not. */
  method_not_allowed: 405,
  /** The method is not one this server implements for any path (`PROPFIND`, `TRACE`...). */
  not_implemented: 501,
  /** The username is already registered (after canonicalisation). */
  username_taken: 409,
  /** The change would leave no enabled administrator. */
  last_admin: 409,
  /** The body is larger than the endpoint accepts. */
  payload_too_large: 413,
  /** The body's media type is not one the endpoint accepts. */
  unsupported_media_type: 415,
  /** Too many attempts; `Retry-After` says when to try again. */
  rate_limited: 429,
  /** Something unexpected failed; the body carries only a request id. */
  internal_error: 500,
  /** A dependency (PostgreSQL) is unavailable; retry later. */
  service_unavailable: 503,
  /** The JWKS could not be fetched, so the token's key cannot be known; retry later. */
  jwks_unavailable: 503,
  /** The resource service cannot tell whether the token's session has ended; retry later. */
  revocation_unavailable: 503,
} as const satisfies Record<string, number>;

/** The closed union of error codes. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** All error codes, for exhaustive tests and documentation. */
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** The media type of every error body (RFC 9457 §3). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One invalid input field: which one, and why. */
export const fieldErrorSchema = z.object({
  /** The field's name, dotted for nested fields (`password`, `address.city`); `""` for the whole body. */
  field: z.string().meta({ description: 'Dotted for nested fields; empty for the whole body.' }),
  /** Why it was refused, as a sentence fragment a person can act on. */
  reason: z.string(),
});
export type FieldError = z.infer<typeof fieldErrorSchema>;

/** An RFC 9457 problem details object with this project's extension members. */
export const problemDetailsSchema = z.object({
  /** RFC 9457 §3.1.1: a URI reference identifying the problem type; stable per `code`. */
  type: z.string(),
  /** RFC 9457 §3.1.3: a short human summary of the problem type. */
  title: z.string(),
  /** RFC 9457 §3.1.2: the HTTP status code, repeated for convenience. */
  status: z.int(),
  /** RFC 9457 §3.1.4: a human explanation of this occurrence. */
  detail: z.string().optional(),
  /** RFC 9457 §3.1.5: the request path this problem occurred on. */
  instance: z.string().optional(),
  /** Extension: the stable machine-readable error code. */
  code: z
    .enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]])
    .meta({ description: 'Stable; switch on this, never on `title` or `detail`.' }),
  /** Extension: per-field reasons for `validation_failed`. */
  errors: z.array(fieldErrorSchema).optional(),
  /** Extension: the request id, also in the logs; always present on a 5xx. */
  request_id: z.string().optional(),
});
export type ProblemDetails = z.infer<typeof problemDetailsSchema>;

/** The `type` URI of a problem code. Not dereferenceable; stable. */
export function problemType(code: ErrorCode): string {
  return `tag:authpair,2026:problem:${code}`;
}
