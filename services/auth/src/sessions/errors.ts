/** Why a refresh token was refused; the message is safe to show the client. */
export type InvalidGrantReason = 'invalid' | 'expired' | 'revoked' | 'reused';

const DESCRIPTIONS: Record<InvalidGrantReason, string> = {
  invalid: 'the refresh token is not valid',
  expired: 'the refresh token has expired',
  revoked: 'the session of this refresh token has ended',
  reused: 'the refresh token was already used; its session has been ended',
};

/** The refresh token cannot be exchanged: RFC 6749 §5.2 `invalid_grant`. */
export class InvalidGrantError extends Error {
  override readonly name = 'InvalidGrantError';
  constructor(readonly reason: InvalidGrantReason) {
    super(DESCRIPTIONS[reason]);
  }
}
