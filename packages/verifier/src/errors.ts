/**
 * What the verifier throws: AuthpairErrors with a code from the catalogue
 * in `@authpair/contracts`, which says the status, title, challenge and
 * whether `Retry-After` is sent. Nothing else escapes `verify` or
 * `authenticate`. `detail` is safe to show the client; `message` and
 * `cause` are for the log.
 */
import { AuthpairError } from '@authpair/contracts';

/** The codes `verify`, `authenticate` and the adapters' `requireScope` can throw. */
export type VerifierErrorCode =
  | 'invalid_request'
  | 'missing_credentials'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'jwks_unavailable'
  | 'revocation_unavailable';

/** Any error the verifier throws. Switch on `code`. */
export type VerifierError = AuthpairError<VerifierErrorCode>;

/** The token cannot be accepted: 401 `invalid_token`; the detail says why. */
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

/**
 * The revocation list is too old to tell whether a session has ended, so
 * the token can be neither accepted nor refused: 503 with Retry-After
 * (fail closed).
 */
export class RevocationUnavailableError extends AuthpairError<'revocation_unavailable'> {
  constructor(retryAfterSeconds: number) {
    super('revocation_unavailable', 'the token cannot be checked now; retry later', {
      retryAfterSeconds,
    });
  }
}
