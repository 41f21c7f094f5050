import {
  ERROR_STATUS,
  type ErrorCode,
  type FieldError,
  type OAuthErrorResponse,
  oauthErrorFor,
  type ProblemDetails,
  problemType,
} from '@authpair/contracts';

/** Human titles per code: the RFC 9457 `title`, constant for a problem type. */
const TITLES: Record<ErrorCode, string> = {
  validation_failed: 'The request is invalid',
  malformed_body: 'The request body could not be read',
  invalid_request: 'The request is malformed',
  invalid_grant: 'The refresh token is invalid',
  unsupported_grant_type: 'The grant type is not supported',
  invalid_scope: 'The requested scope is invalid',
  invalid_client: 'The client is unknown',
  missing_credentials: 'Authentication is required',
  invalid_credentials: 'Invalid username or password',
  invalid_token: 'The access token is invalid',
  insufficient_scope: 'The access token lacks a required scope',
  account_disabled: 'The account is disabled',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  not_implemented: 'Method not implemented',
  username_taken: 'The username is already taken',
  last_admin: 'The last administrator cannot be removed',
  payload_too_large: 'The request body is too large',
  unsupported_media_type: 'Unsupported media type',
  rate_limited: 'Too many requests',
  internal_error: 'Internal server error',
  service_unavailable: 'Service unavailable',
  jwks_unavailable: 'The signing keys are unavailable',
  revocation_unavailable: 'The revocation list is out of date',
};

export interface HttpProblemOptions {
  /** Per-field reasons (for `validation_failed`). */
  errors?: FieldError[];
  /** Response headers to send with the problem (`WWW-Authenticate`, `Retry-After`, `Allow`). */
  headers?: Record<string, string>;
  /** The underlying error, logged, never sent. */
  cause?: unknown;
}

/** RFC 6749 §5.2: `error_description` is printable ASCII without `"` and `\`. */
const NOT_OAUTH_TEXT = /[^\x20\x21\x23-\x5B\x5D-\x7E]/g;

/**
 * An error that becomes an RFC 9457 response. The code fixes the status; the
 * detail is sent to the client, so it must never carry internals. Anything
 * thrown that is not an HttpProblem becomes a bare 500 `internal_error`.
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    options: HttpProblemOptions = {},
  ) {
    super(detail ?? TITLES[code], options.cause === undefined ? {} : { cause: options.cause });
    this.status = ERROR_STATUS[code];
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  /** The response body for this problem. */
  toBody(instance: string, requestId: string): ProblemDetails {
    const body: ProblemDetails = {
      type: problemType(this.code),
      title: TITLES[this.code],
      status: this.status,
      code: this.code,
      instance,
    };
    if (this.detail !== undefined) body.detail = this.detail;
    if (this.errors !== undefined) body.errors = this.errors;
    if (this.status >= 500) body.request_id = requestId;
    return body;
  }

  /**
   * The body on the OAuth endpoints (RFC 6749 §5.2, whose clients require
   * `application/json`): `error` and `error_description`, then the
   * problem's members as extensions.
   */
  toOAuthBody(instance: string, requestId: string): OAuthErrorResponse {
    const description = (this.detail ?? TITLES[this.code]).replace(NOT_OAUTH_TEXT, '');
    return {
      error: oauthErrorFor(this.code, this.status),
      error_description: description,
      ...this.toBody(instance, requestId),
    };
  }
}

/** A 400 `validation_failed` naming one field. */
export function invalidField(field: string, reason: string): HttpProblem {
  return new HttpProblem('validation_failed', `${field || 'body'}: ${reason}`, {
    errors: [{ field, reason }],
  });
}
