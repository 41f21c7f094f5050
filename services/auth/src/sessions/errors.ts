import { AuthpairError, type InvalidGrantReason } from '@authpair/contracts';

const DESCRIPTIONS: Record<InvalidGrantReason, string> = {
  invalid: 'the refresh token is not valid',
  expired: 'the refresh token has expired',
  session_ended: 'the session of this refresh token has ended',
  reuse_detected: 'the refresh token was already used; its session has been ended',
  user_disabled: 'the account of this refresh token is disabled',
};

/**
 * The refresh token cannot be exchanged: RFC 6749 §5.2 `invalid_grant`,
 * with the `reason` a client maps to what it tells its user.
 */
export class InvalidGrantError extends AuthpairError<'invalid_grant'> {
  constructor(reason: InvalidGrantReason, detail = DESCRIPTIONS[reason]) {
    super('invalid_grant', detail, { reason });
  }
}

/** The `scope` asked for includes one the user's roles do not grant (RFC 6749 §5.2 `invalid_scope`). */
export class InvalidScopeError extends AuthpairError<'invalid_scope'> {
  constructor() {
    super('invalid_scope', 'the scope asked for is not granted to this user');
  }
}
