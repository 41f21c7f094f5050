import type { KeyEncryptionKeys } from './key-encryption';

/** The signing keys' settings, shared by the service and auth-admin (config.ts fills them). */
export interface KeySettings {
  readonly rsaModulusBits: number;
  /** `Cache-Control: max-age` of the JWKS, in seconds. */
  readonly jwksMaxAge: number;
  /** Seal private keys at rest; the first one seals new keys. */
  readonly encryption: KeyEncryptionKeys;
  /** Days between automatic rotations; 0 turns automatic rotation off. */
  readonly rotationDays: number;
  /** How often each replica rereads the keys and runs the lifecycle scheduler, ms. */
  readonly refreshIntervalMs: number;
  /** What the schedule must assume about every verifier of our tokens. */
  readonly verifiers: {
    /** The longest a verifier caches the JWKS whatever max-age says, seconds. */
    readonly jwksMaxTtl: number;
    /** A verifier's least time between two JWKS fetches, seconds. */
    readonly cooldown: number;
    /** Clock skew and `exp` leeway allowed between us and verifiers, seconds. */
    readonly clockTolerance: number;
  };
}

/** What the key schedule reads: the keys' settings and the access tokens' lifetime. */
export interface KeysConfig {
  readonly keys: KeySettings;
  readonly tokens: { readonly accessTokenTtl: number };
}
