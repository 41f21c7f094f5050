import { AuthpairError } from '@authpair/contracts';

/** The token cannot be accepted: 401 `invalid_token`; the detail is safe to show the client. */
export class InvalidTokenError extends AuthpairError<'invalid_token'> {
  constructor(detail: string, options?: ErrorOptions) {
    super('invalid_token', detail, options);
  }
}

/** The token's key cannot be known now (JWKS unreachable, cold or expired): 503 with Retry-After. */
export class JwksUnavailableError extends AuthpairError<'jwks_unavailable'> {
  constructor(internal: string, retryAfterSeconds: number) {
    super('jwks_unavailable', 'the token cannot be checked now; retry later', {
      message: internal,
      retryAfterSeconds,
    });
  }
}
