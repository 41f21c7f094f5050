/** The token cannot be accepted; the reason is safe to show the client. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/** The key set cannot be obtained now, so the token can be neither accepted nor refused. */
export class JwksUnavailableError extends Error {
  override readonly name = 'JwksUnavailableError';
  constructor(
    message: string,
    /** Seconds until the next fetch attempt is allowed. */
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
