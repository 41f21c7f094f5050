/**
 * The error catalogue: every error either service (and `@authpair/verifier`)
 * can answer with, in one table, and the base class every domain error
 * extends. A client switches on `code`; `title` and `detail` are for people
 * and may change.
 *
 * Shaped after jose's `src/util/errors.ts`: each error carries its stable
 * `code`, and the union of codes is the API. How an error becomes an HTTP
 * answer (status, RFC 9457 body, RFC 6750 challenge, RFC 6749 §5.2 body,
 * `Retry-After`) is read from this table by the renderer in
 * `problem-response.ts`, which the one error handler in
 * `@authpair/service-kit` and the verifier's adapters call; nothing else
 * maps errors to statuses.
 */
import type { OAuthErrorCode } from './oauth';
import type { FieldError } from './problem';

/** RFC 6750 §3.1 error codes a protected resource puts in its challenge. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/** One entry of the catalogue. */
export interface ErrorDefinition {
  /** The HTTP status the error is answered with. */
  readonly status: number;
  /** RFC 9457 §3.1.3 `title`: constant for the code. */
  readonly title: string;
  /** When it happens, for the documentation's error table. */
  readonly description: string;
  /**
   * RFC 6749 §5.2 `error` on the OAuth endpoints (`/token`, `/revoke`).
   * Absent: `invalid_request` for a 4xx, `server_error` for a 5xx.
   */
  readonly oauthError?: OAuthErrorCode;
  /**
   * RFC 6750 §3: the `error` attribute of the `WWW-Authenticate: Bearer`
   * challenge sent with this code on a bearer-protected route; `null` for a
   * challenge without an error code (no credentials were sent, §3.1).
   * Absent: no challenge.
   */
  readonly bearerError?: BearerErrorCode | null;
  /** Whether the answer carries `Retry-After`. */
  readonly retryable?: true;
}

/**
 * The catalogue. The union is closed: adding a code is a contract change,
 * and the documentation's error table is generated from this object.
 */
export const ERROR_CATALOGUE = {
  validation_failed: {
    status: 400,
    title: 'The request is invalid',
    description:
      'A field is missing, of the wrong type, or breaks a policy; `errors` names each field and why.',
  },
  malformed_body: {
    status: 400,
    title: 'The request body could not be read',
    description: 'The body is not parseable JSON (or form data), or not a single object.',
  },
  invalid_request: {
    status: 400,
    title: 'The request is malformed',
    description:
      'The request is malformed in a way RFC 6750 or RFC 6749 calls `invalid_request` (an access token in the query string, a parameter sent twice).',
    bearerError: 'invalid_request',
  },
  invalid_grant: {
    status: 400,
    title: 'The refresh token is invalid',
    description:
      'RFC 6749 §5.2: the refresh token is malformed, unknown, expired, revoked or already used; `reason` says which.',
    oauthError: 'invalid_grant',
  },
  unsupported_grant_type: {
    status: 400,
    title: 'The grant type is not supported',
    description: 'RFC 6749 §5.2: the token endpoint issues tokens only for `refresh_token`.',
    oauthError: 'unsupported_grant_type',
  },
  invalid_scope: {
    status: 400,
    title: 'The requested scope is invalid',
    description: 'RFC 6749 §5.2: the request asks for a scope beyond what the user is granted.',
    oauthError: 'invalid_scope',
  },
  invalid_client: {
    status: 401,
    title: 'The client is unknown',
    description: 'RFC 6749 §5.2: a `client_id` this issuer never issued tokens to.',
    oauthError: 'invalid_client',
  },
  missing_credentials: {
    status: 401,
    title: 'Authentication is required',
    description:
      'No bearer token was sent (RFC 6750 §3.1: the challenge carries no error code then).',
    bearerError: null,
  },
  invalid_credentials: {
    status: 401,
    title: 'Invalid username or password',
    description: 'Unknown username or wrong password; deliberately indistinguishable.',
  },
  invalid_token: {
    status: 401,
    title: 'The access token is invalid',
    description:
      'The bearer token is malformed, expired, revoked, signed by an unknown key or not for this audience.',
    bearerError: 'invalid_token',
  },
  insufficient_scope: {
    status: 403,
    title: 'The access token lacks a required scope',
    description:
      'RFC 6750 §3.1: the token is valid but lacks the scope the endpoint needs; the challenge names it.',
    bearerError: 'insufficient_scope',
  },
  foreign_origin: {
    status: 403,
    title: 'The request came from another origin',
    description:
      "The web app's backend refused a request that changes something because the browser said another origin's page sent it (`Origin`, `Sec-Fetch-Site`): its cookie alone never authorises a call.",
  },
  account_disabled: {
    status: 403,
    title: 'The account is disabled',
    description: 'The credentials are right, but an administrator disabled the account.',
  },
  not_found: {
    status: 404,
    title: 'Not found',
    description: 'No route has this path, or the resource it names does not exist.',
  },
  method_not_allowed: {
    status: 405,
    title: 'Method not allowed',
    description: 'The path exists, the method does not; `Allow` lists the methods.',
  },
  username_taken: {
    status: 409,
    title: 'The username is already taken',
    description: 'The username is registered already, after canonicalisation (NFKC, case fold).',
  },
  last_admin: {
    status: 409,
    title: 'The last administrator cannot be removed',
    description: 'The change would leave no enabled administrator.',
  },
  payload_too_large: {
    status: 413,
    title: 'The request body is too large',
    description: 'The body is larger than the endpoint accepts; it was not read.',
  },
  unsupported_media_type: {
    status: 415,
    title: 'Unsupported media type',
    description: 'The body is not of a media type the endpoint accepts.',
  },
  rate_limited: {
    status: 429,
    title: 'Too many requests',
    description: 'Too many attempts; `Retry-After` says when the next one can succeed.',
    retryable: true,
  },
  internal_error: {
    status: 500,
    title: 'Internal server error',
    description: 'Something unexpected failed; the body carries only a request id, also logged.',
    oauthError: 'server_error',
  },
  not_implemented: {
    status: 501,
    title: 'Method not implemented',
    description: 'The method is not one this server implements for any path (`PROPFIND`, `TRACE`).',
  },
  service_unavailable: {
    status: 503,
    title: 'Service unavailable',
    description:
      'A dependency (PostgreSQL, the signing keys, the password hashers) cannot serve now; retry after `Retry-After`.',
    oauthError: 'temporarily_unavailable',
    retryable: true,
  },
  jwks_unavailable: {
    status: 503,
    title: 'The signing keys are unavailable',
    description:
      "The issuer's JWKS could not be fetched, so the token's key cannot be known; retry after `Retry-After`.",
    retryable: true,
  },
  revocation_unavailable: {
    status: 503,
    title: 'The revocation list is out of date',
    description:
      "The verifier cannot tell whether the token's session has ended (fail closed); retry after `Retry-After`.",
    retryable: true,
  },
} as const satisfies Record<string, ErrorDefinition>;

/** The closed union of error codes. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** All error codes, for exhaustive tests and documentation. */
export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/** The catalogue entry of a code, typed as the general shape. */
export function errorDefinition(code: ErrorCode): ErrorDefinition {
  return ERROR_CATALOGUE[code];
}

/** The OAuth `error` a code is answered with on the OAuth endpoints (RFC 6749 §5.2). */
export function oauthErrorFor(code: ErrorCode): OAuthErrorCode {
  const { oauthError, status } = errorDefinition(code);
  return oauthError ?? (status >= 500 ? 'server_error' : 'invalid_request');
}

/**
 * Why a refresh token was refused: the `reason` member of an `invalid_grant`
 * answer. Told to whoever presents the token; SECURITY.md says why that
 * leaks nothing the holder could not learn by trying the token elsewhere.
 */
export const INVALID_GRANT_REASONS = [
  /** Not a refresh token this issuer knows (malformed, unknown, or purged). */
  'invalid',
  /** The token or its session outlived its lifetime (`REFRESH_TOKEN_TTL`, `SESSION_MAX_AGE`, inactivity). */
  'expired',
  /** The session was ended: logout, `/revoke`, a password change, an administrator. */
  'session_ended',
  /** A spent token was presented again: the session was ended because of it (RFC 9700 §4.14.2). */
  'reuse_detected',
  /** The user's account is disabled. */
  'user_disabled',
] as const;
export type InvalidGrantReason = (typeof INVALID_GRANT_REASONS)[number];

export interface AuthpairErrorOptions extends ErrorOptions {
  /**
   * The message for the log, when it says more than the client may see (a
   * 503's internal reason). Defaults to the detail.
   */
  message?: string;
  /** `validation_failed`: each refused field and why. */
  errors?: readonly FieldError[];
  /** Seconds until a retry can succeed: sent as `Retry-After` (429, 503). */
  retryAfterSeconds?: number;
  /** `invalid_grant`: what happened to the refresh token. */
  reason?: InvalidGrantReason;
  /** `insufficient_scope`: the scope the request needs (RFC 6750 §3 `scope` attribute). */
  scope?: string;
}

/**
 * The base of every error that reaches a client with a meaning: it carries
 * a catalogue `code`, and a `detail` that is safe to show. What is
 * internal goes in `message` or `cause`, which are logged, never sent. Domain errors
 * subclass it with a fixed code; anything thrown that is not an
 * AuthpairError becomes a bare `internal_error`.
 */
export class AuthpairError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  /** RFC 9457 `detail`: this occurrence, in words for the client. */
  readonly detail: string | undefined;
  readonly errors: readonly FieldError[] | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly reason: InvalidGrantReason | undefined;
  readonly scope: string | undefined;

  constructor(code: C, detail?: string, options: AuthpairErrorOptions = {}) {
    const { errors, retryAfterSeconds, reason, scope, message, ...errorOptions } = options;
    super(message ?? detail ?? ERROR_CATALOGUE[code].title, errorOptions);
    this.name = new.target.name;
    this.code = code;
    this.detail = detail;
    this.errors = errors;
    this.retryAfterSeconds = retryAfterSeconds;
    this.reason = reason;
    this.scope = scope;
  }

  /** The HTTP status of this error's code. */
  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }
}

/** Whether `value` is an AuthpairError, also one from another copy of this package. */
export function isAuthpairError(value: unknown): value is AuthpairError {
  if (value instanceof AuthpairError) return true;
  if (!(value instanceof Error)) return false;
  const { code } = value as { code?: unknown };
  return typeof code === 'string' && Object.hasOwn(ERROR_CATALOGUE, code) && 'detail' in value;
}

/** A 400 `validation_failed` naming one field. */
export function invalidField(field: string, reason: string): AuthpairError<'validation_failed'> {
  return new AuthpairError('validation_failed', `${field || 'body'}: ${reason}`, {
    errors: [{ field, reason }],
  });
}
