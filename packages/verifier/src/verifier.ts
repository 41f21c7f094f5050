import {
  type AccessTokenClaims,
  bearerTokenOf,
  type ErrorCode,
  hasAccessTokenInQuery,
} from '@authpair/contracts';
import { VerifiedTokenCache } from './cache/verified-token-cache';
import { createTokenVerifier, type VerifiedToken } from './core/verify-token';
import { JwksCache, type JwksSnapshot, type JwksStatus } from './jwks/jwks-cache';
import { SILENT_LOGGER } from './logger';
import {
  resolveSettings,
  type VerifierObserver,
  type VerifierOptions,
  type VerifierSettings,
} from './options';
import { RevocationList, type RevocationSnapshot } from './revocation/revocation-list';

/** What `authenticate` reads of a request: node:http's, Express's, Koa's and Fastify's all have it. */
export interface BearerRequest {
  /** The request headers; only `authorization` is read. */
  readonly headers: { readonly authorization?: string | string[] | undefined };
  /** The request target, path and query: a query naming `access_token` is refused. */
  readonly url?: string | undefined;
}

/** `up` while the key set is fresh, `degraded` while stale but usable, `down` otherwise. */
export type JwksCheck = Omit<JwksSnapshot, 'status'> & {
  status: 'up' | 'degraded' | 'down';
  cache: JwksStatus;
};

/** `up` while current; past `maxLagMs`, `down` failing closed and `degraded` failing open. */
export type RevocationCheck = Omit<RevocationSnapshot, 'status'> & {
  status: 'up' | 'degraded' | 'down';
  list: RevocationSnapshot['status'];
};

/** What `health()` reports: the shape of a `/readyz` body. */
export type VerifierHealth = {
  /** `unready` when a check is `down`: tokens would be answered 503. */
  status: 'ready' | 'unready';
  checks: { jwks: JwksCheck; revocations?: RevocationCheck };
};

/** Beyond the token bounds, how long a revoked sid is kept: covers clock skew with the issuer. */
const REVOCATION_RETENTION_MARGIN_MS = 60_000;

/** Outcomes counted for errors of the signature-and-claims step, by code. */
const FAILED_OUTCOMES: Partial<Record<ErrorCode, 'invalid' | 'jwks_unavailable'>> = {
  invalid_token: 'invalid',
  jwks_unavailable: 'jwks_unavailable',
};

/**
 * Verifies authpair access tokens for one resource server: the JWKS cache,
 * the verified-token cache and the revocation feed, around the one
 * verification core. Build it with `createVerifier`; it starts fetching at
 * once (or at `ready()`, with `startFetching: false`). See docs/verifier.md.
 */
export class Verifier {
  /** The `realm` the adapters' challenges name. */
  readonly realm: string;
  /** The issuer's keys as held now (for health, metrics and operators' reports). */
  readonly jwks: JwksCache;
  /** Verified claims by token: hits, misses and size are read by metrics. */
  readonly cache: VerifiedTokenCache;
  /** The ended sessions, when revocation is on. */
  readonly revocations: RevocationList | undefined;
  readonly #settings: VerifierSettings;
  readonly #observer: VerifierObserver;
  readonly #verifyInFull: (token: string) => Promise<VerifiedToken>;
  readonly #maxTokenAgeMs: number;
  #started: Promise<unknown> | undefined;

  constructor(options: VerifierOptions) {
    const settings = resolveSettings(options);
    const logger = options.logger ?? SILENT_LOGGER;
    const observer = options.observer ?? {};
    this.#settings = settings;
    this.#observer = observer;
    this.realm = settings.realm;
    this.#maxTokenAgeMs = settings.maxTokenAge * 1000;
    this.jwks = new JwksCache(settings.jwks, logger, options.fetch, {
      fetched: (seconds, reason) => observer.jwksFetched?.(seconds, reason),
      unknownKid: () => observer.unknownKid?.(),
    });
    this.cache = new VerifiedTokenCache(settings.verifiedCacheSize, this.jwks);
    this.#verifyInFull = createTokenVerifier(
      settings,
      (kid) => this.jwks.knownKey(kid) ?? this.jwks.getKey(kid),
    );
    this.revocations =
      settings.revocation === undefined
        ? undefined
        : new RevocationList(
            {
              ...settings.revocation,
              // Past iat + max age (+ tolerance) the token is refused anyway.
              retentionMs:
                (settings.maxTokenAge + settings.clockTolerance) * 1000 +
                REVOCATION_RETENTION_MARGIN_MS,
            },
            logger,
            options.fetch,
            {
              readFailed: () => observer.revocationReadFailed?.(),
              refused: (reason) => observer.revocationRefused?.(reason),
            },
          );
    if (options.startFetching !== false) this.#start();
  }

  /**
   * Both first reads at once. Neither failure is fatal: both keep trying in
   * the background, and tokens get 503 until both have been read.
   */
  #start(): Promise<unknown> {
    this.#started ??= Promise.all([this.jwks.start(), this.revocations?.start()]);
    return this.#started;
  }

  /**
   * The claims of a valid access token of a live session. Throws an
   * AuthpairError (a `VerifierError`): `invalid_token` (401),
   * `jwks_unavailable` or `revocation_unavailable` (503, with
   * `retryAfterSeconds`).
   *
   * The revocation step runs on every call after the signature and claims,
   * whether those came from memory or were checked in full: the
   * verified-token cache never skips it.
   */
  verify(token: string): Promise<Readonly<AccessTokenClaims>> {
    // Not async: a hit is answered without a resumption, a miss with one
    // promise chain from jose's, not a frame per layer (docs/performance.md).
    const cached = this.cache.get(token, Date.now());
    if (cached !== undefined) {
      try {
        return Promise.resolve(this.#live(cached));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.#verifyInFull(token).then(
      ({ claims, kid, key }) => {
        const expiresAt = Math.min(claims.exp * 1000, claims.iat * 1000 + this.#maxTokenAgeMs);
        return this.#live(this.cache.set(token, claims, { kid, key }, expiresAt));
      },
      (error: unknown) => {
        const outcome = FAILED_OUTCOMES[(error as { code?: ErrorCode }).code as ErrorCode];
        if (outcome !== undefined) this.#observer.verified?.(outcome);
        throw error;
      },
    );
  }

  /** Verified claims, counted valid, then checked against the revocation list: throws if the session has ended. */
  #live(claims: Readonly<AccessTokenClaims>): Readonly<AccessTokenClaims> {
    this.#observer.verified?.('valid');
    this.revocations?.check(claims.sid);
    return claims;
  }

  /**
   * The claims of the bearer token a request carries (RFC 6750 §2.1), as
   * `verify` returns them. Besides `verify`'s errors: 400
   * `invalid_request` for a token in the query string, 401
   * `missing_credentials` when no Bearer credentials were sent (its
   * challenge carries no error code), 401 `invalid_token` for a malformed
   * Authorization header.
   */
  authenticate(request: BearerRequest): Promise<Readonly<AccessTokenClaims>> {
    const { authorization } = request.headers;
    let token: string;
    try {
      token = bearerTokenOf(
        typeof authorization === 'string' ? authorization : undefined,
        hasAccessTokenInQuery(request.url),
      );
    } catch (error) {
      return Promise.reject(error);
    }
    // Not async: verify's promise is handed on as is, without wrapping it in another.
    return this.verify(token);
  }

  /**
   * Resolves once the JWKS has been fetched and the feed read once, or
   * tried (a failure is retried in the background, not thrown), with the
   * health at that moment: a service can log it, or refuse to start. With
   * `startFetching: false`, the first call begins the reads.
   */
  async ready(): Promise<VerifierHealth> {
    await this.#start();
    return this.health();
  }

  /** The state of the key set and the revocation list, as a `/readyz` check reports it. */
  health(): VerifierHealth {
    const { status: cache, ...keyFacts } = this.jwks.snapshot();
    const jwks: JwksCheck = {
      status: cache === 'fresh' ? 'up' : cache === 'stale' ? 'degraded' : 'down',
      cache,
      ...keyFacts,
    };
    const checks: VerifierHealth['checks'] = { jwks };
    if (this.revocations !== undefined) {
      const { status: list, ...listFacts } = this.revocations.snapshot();
      // Failing open keeps serving, so the instance stays in rotation, flagged.
      const outdated = this.#settings.revocation?.failClosed === false ? 'degraded' : 'down';
      checks.revocations = { status: list === 'current' ? 'up' : outdated, list, ...listFacts };
    }
    const down = jwks.status === 'down' || checks.revocations?.status === 'down';
    return { status: down ? 'unready' : 'ready', checks };
  }

  /** Stops the background refreshes. Tokens already cached keep verifying until their bounds. */
  async close(): Promise<void> {
    this.jwks.stop();
    this.revocations?.stop();
  }
}

/** A verifier for these options; it starts fetching the JWKS and reading the feed at once (unless `startFetching: false`). */
export function createVerifier(options: VerifierOptions): Verifier {
  return new Verifier(options);
}
