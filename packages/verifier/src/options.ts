import { REVOCATION_FEED_PATH } from '@authpair/contracts';
import type { JwksFailureReason } from './jwks/jwks-fetch';
import { JWKS_DEFAULTS, type JwksSettings } from './jwks/jwks-settings';
import type { VerifierLogger } from './logger';
import type { RefusalReason } from './revocation/revocation-list';
import { REVOCATION_DEFAULTS, type RevocationSettings } from './revocation/revocation-settings';

/** How a request's token fared at the signature-and-claims step, before revocation. */
export type VerificationOutcome = 'valid' | 'invalid' | 'jwks_unavailable';

/**
 * Hooks for metrics, all optional: the verifier knows nothing of
 * Prometheus. Called synchronously; keep them cheap (a counter increment).
 */
export interface VerifierObserver {
  /** A JWKS fetch finished after `seconds`; `reason` is set when it failed. */
  jwksFetched?(seconds: number, reason?: JwksFailureReason): void;
  /** A token named a kid the fresh key set does not hold (answered 401). */
  unknownKid?(): void;
  /** A token's signature and claims were checked, from memory or in full. */
  verified?(outcome: VerificationOutcome): void;
  /** A read of the revocation feed failed (unreachable, slow, refused, malformed). */
  revocationReadFailed?(): void;
  /** The revocation step refused a verified token. */
  revocationRefused?(reason: RefusalReason): void;
}

/**
 * `createVerifier`'s options. Each setting is named as in the resource
 * service's configuration, with the same default; docs/verifier.md maps
 * them to its environment variables.
 */
export interface VerifierOptions {
  /** Required `iss` of accepted tokens: the auth service's public URL (`JWT_ISSUER`). */
  issuer: string;
  /** Required `aud` of accepted tokens (`JWT_AUDIENCE`). */
  audience: string;
  /** Where the issuer's keys are fetched (`JWKS_URL`). */
  jwksUrl: string;
  /**
   * The auth service's revocation feed, read every `pollIntervalMs` so a
   * token of an ended session is refused within about a second. `token` is
   * the auth service's `REVOCATION_FEED_TOKEN`; `url` defaults to the JWKS
   * host + `/internal/revocations`. `false` turns revocation off: a token
   * is then honoured until its `exp` whatever happened to its session.
   */
  revocation: (Partial<RevocationSettings> & { token: string }) | false;
  /** `realm` of the `WWW-Authenticate` challenge the adapters send (`AUTH_REALM`); default `authpair`. */
  realm?: string;
  /** Seconds of clock skew allowed on `exp`, `nbf` and `iat` (`CLOCK_TOLERANCE`); default 5. */
  clockTolerance?: number;
  /** Oldest `iat` accepted, seconds, whatever `exp` says (`ACCESS_TOKEN_MAX_AGE`); default 3600. */
  maxTokenAge?: number;
  /** Verified tokens whose claims are kept in memory; 0 verifies every request in full (`VERIFIED_TOKEN_CACHE_SIZE`); default 10000. */
  verifiedCacheSize?: number;
  /** The JWKS cache's policy; defaults in `JWKS_DEFAULTS`. */
  jwks?: Partial<Omit<JwksSettings, 'url'>>;
  /** Where failed fetches and reads are reported; default: nowhere. */
  logger?: VerifierLogger;
  /** The fetch used for the JWKS and the feed; default the global one. */
  fetch?: typeof fetch;
  /** Metrics hooks. */
  observer?: VerifierObserver;
  /**
   * `false`: fetch nothing until `ready()` is called, so a service can build
   * its verifier while wiring and start it in its start-up; default `true`,
   * the first reads begin at once.
   */
  startFetching?: boolean;
}

/** The defaults of the top-level settings. */
export const VERIFIER_DEFAULTS = {
  realm: 'authpair',
  clockTolerance: 5,
  maxTokenAge: 3600,
  verifiedCacheSize: 10_000,
} as const;

/** Every setting, defaults applied and checked. */
export interface VerifierSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly realm: string;
  readonly clockTolerance: number;
  readonly maxTokenAge: number;
  readonly verifiedCacheSize: number;
  readonly jwks: JwksSettings;
  readonly revocation: RevocationSettings | undefined;
}

function httpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The auth service's feed gives a new reader the revocations of the last
 * ACCESS_TOKEN_TTL + 60 s; a token the tolerance kept alive longer past its
 * `exp` could belong to a session ended before that, unknown to the reader.
 */
const MAX_CLOCK_TOLERANCE = 60;

/** Applies the defaults; throws a TypeError naming every option that is wrong. */
export function resolveSettings(options: VerifierOptions): VerifierSettings {
  const problems: string[] = [];
  const text = (name: string, value: unknown) => {
    if (typeof value !== 'string' || value === '')
      problems.push(`${name} must be a non-empty string`);
  };
  const count = (name: string, value: number) => {
    if (!Number.isFinite(value) || value < 0) problems.push(`${name} must be a number >= 0`);
  };
  text('issuer', options.issuer);
  text('audience', options.audience);
  if (!httpUrl(options.jwksUrl)) problems.push('jwksUrl must be an absolute http or https URL');

  const jwks: JwksSettings = { ...JWKS_DEFAULTS, ...options.jwks, url: options.jwksUrl };
  for (const name of [
    'timeoutMs',
    'cooldownMs',
    'defaultTtl',
    'minTtl',
    'maxTtl',
    'maxStale',
  ] as const)
    count(`jwks.${name}`, jwks[name]);

  let revocation: RevocationSettings | undefined;
  const given = options.revocation as VerifierOptions['revocation'] | undefined;
  if (given === undefined) {
    problems.push('revocation must be { token } (the feed secret) or false');
  } else if (given !== false) {
    text('revocation.token', given.token);
    const settled: RevocationSettings = {
      ...REVOCATION_DEFAULTS,
      ...given,
      url: given.url ?? defaultFeedUrl(options.jwksUrl),
    };
    if (!httpUrl(settled.url))
      problems.push('revocation.url must be an absolute http or https URL');
    for (const name of ['pollIntervalMs', 'maxLagMs', 'timeoutMs'] as const)
      count(`revocation.${name}`, settled[name]);
    if (settled.maxLagMs <= settled.pollIntervalMs)
      problems.push('revocation.maxLagMs must be greater than revocation.pollIntervalMs');
    revocation = settled;
  }

  const settings: VerifierSettings = {
    issuer: options.issuer,
    audience: options.audience,
    realm: options.realm ?? VERIFIER_DEFAULTS.realm,
    clockTolerance: options.clockTolerance ?? VERIFIER_DEFAULTS.clockTolerance,
    maxTokenAge: options.maxTokenAge ?? VERIFIER_DEFAULTS.maxTokenAge,
    verifiedCacheSize: options.verifiedCacheSize ?? VERIFIER_DEFAULTS.verifiedCacheSize,
    jwks: { ...jwks, minTtl: Math.min(jwks.minTtl, jwks.maxTtl) },
    revocation,
  };
  text('realm', settings.realm);
  count('clockTolerance', settings.clockTolerance);
  if (settings.clockTolerance > MAX_CLOCK_TOLERANCE)
    problems.push(
      `clockTolerance must be at most ${MAX_CLOCK_TOLERANCE} seconds (a new reader of the revocation feed receives only the last ACCESS_TOKEN_TTL + ${MAX_CLOCK_TOLERANCE} s of revocations)`,
    );
  count('maxTokenAge', settings.maxTokenAge);
  count('verifiedCacheSize', settings.verifiedCacheSize);
  if (problems.length > 0) throw new TypeError(`createVerifier: ${problems.join('; ')}`);
  return settings;
}

/** The feed is on the host that serves the JWKS (the auth service) unless told otherwise. */
function defaultFeedUrl(jwksUrl: string): string {
  try {
    return new URL(REVOCATION_FEED_PATH, jwksUrl).toString();
  } catch {
    return '';
  }
}
