/** What the access tokens say and how long they live (config.ts fills it from the environment). */
export interface TokenSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly clientId: string;
  readonly accessTokenTtl: number;
  /**
   * Seconds of clock skew allowed on `exp`, `nbf` and `iat` when this
   * service checks its own access tokens (its replicas' clocks may differ
   * a little). Not `KeySettings.verifiers.clockTolerance`, which is what the
   * key schedule assumes of other verifiers.
   */
  readonly clockTolerance: number;
}
