/** How sessions and their refresh tokens live (config.ts fills it from the environment). */
export interface SessionSettings {
  /** Seconds a refresh token lives unused: the session's inactivity bound. */
  readonly refreshTokenTtl: number;
  /** Seconds a session lives from login, however active. */
  readonly maxAge: number;
  /** Seconds after a rotation during which the spent token may be presented again (0: never). */
  readonly reuseGraceSeconds: number;
  /**
   * Derive each rotation's child from its parent, so a retry gets the same
   * child (refresh-token.ts): the first derives, any of them recognises a
   * stored child, so the secret can change in a rolling restart.
   */
  readonly refreshTokenSecrets: readonly string[];
  /** Days an ended session and its refresh tokens are kept before the purge deletes them (0: kept forever). */
  readonly retentionDays: number;
  /** Live sessions a user may hold; a login beyond it ends the oldest. */
  readonly maxPerUser: number;
}
