import type { ErrorCode, FieldError, InvalidGrantReason } from '@authpair/contracts';
import type { SignOutReason } from './types';

/** Failures the client itself detects; server answers keep the catalogue `code` they came with. */
export type ClientErrorCode =
  /** No session: log in first. */
  | 'not_signed_in'
  /** The session ended while this call needed it; `reason` says why. */
  | 'signed_out'
  /** The auth service could not be reached, or did not answer in time. */
  | 'network'
  /** Another tab held the refresh lock past `lockTimeoutMs`. */
  | 'lock_timeout'
  /** A resource server answered 401 again after the one replay with a newer token. */
  | 'unauthorized'
  /** `dispose()` was called. */
  | 'disposed'
  /** An answer that is not what the contract says (not JSON, missing members). */
  | 'bad_response';

/**
 * A client code, a catalogue code, or (from a newer server) a code this
 * client does not know yet.
 */
export type AuthpairErrorCode = ClientErrorCode | ErrorCode | (string & {});

/** The members of a problem (or OAuth error) body the client reads. */
export interface ProblemBody {
  readonly code?: string;
  readonly error?: string;
  readonly title?: string;
  readonly detail?: string;
  readonly errors?: readonly FieldError[];
  readonly reason?: string;
}

export interface ClientErrorOptions extends ErrorOptions {
  status?: number;
  retryable?: boolean;
  retryAfterMs?: number;
  reason?: SignOutReason;
  problem?: ProblemBody;
  response?: Response;
}

/**
 * Every error the client throws. Switch on `code`: a catalogue code from
 * the server (`username_taken`, `invalid_credentials`, ...) or one of
 * `ClientErrorCode`. `retryable` says whether the same call may succeed
 * later unchanged (network errors, 5xx, 429, a lock timeout).
 */
export class AuthpairClientError extends Error {
  readonly code: AuthpairErrorCode;
  readonly status: number | undefined;
  readonly retryable: boolean;
  /** From `Retry-After`, when the server sent one. */
  readonly retryAfterMs: number | undefined;
  /** `signed_out`: why the session ended. */
  readonly reason: SignOutReason | undefined;
  /** The server's error body, when it sent one. */
  readonly problem: ProblemBody | undefined;
  /** `unauthorized`: the resource server's second 401, body unread. */
  readonly response: Response | undefined;

  constructor(code: AuthpairErrorCode, message: string, options: ClientErrorOptions = {}) {
    const { status, retryable, retryAfterMs, reason, problem, response, ...errorOptions } = options;
    super(message, errorOptions);
    this.name = 'AuthpairClientError';
    this.code = code;
    this.status = status;
    this.retryable = retryable ?? false;
    this.retryAfterMs = retryAfterMs;
    this.reason = reason;
    this.problem = problem;
    this.response = response;
  }
}

/**
 * The server's `invalid_grant` reason as the client's sign-out reason.
 * Typed as a total map over the contract's reasons, so a reason added
 * there fails the build here until it is mapped.
 */
const SIGN_OUT_REASON_OF: Readonly<Record<InvalidGrantReason, SignOutReason>> = {
  // Unknown to the issuer: malformed, never issued, or its session purged long after it ended.
  invalid: 'revoked',
  expired: 'expired',
  session_ended: 'revoked',
  reuse_detected: 'reuse_detected',
  user_disabled: 'disabled',
};

/** An older server sends no reason: the session is gone, so `revoked`. */
export function signOutReasonOf(grantReason: string | undefined): SignOutReason {
  return Object.hasOwn(SIGN_OUT_REASON_OF, grantReason ?? '')
    ? SIGN_OUT_REASON_OF[grantReason as InvalidGrantReason]
    : 'revoked';
}

export function signedOut(reason: SignOutReason): AuthpairClientError {
  return new AuthpairClientError('signed_out', `signed out (${reason})`, { reason });
}

export function isClientError(error: unknown): error is AuthpairClientError {
  return error instanceof AuthpairClientError;
}
