import type { KeyObject } from 'node:crypto';
import {
  ACCESS_TOKEN_ALGORITHM,
  ACCESS_TOKEN_TYPE,
  type VerifiedClaims,
} from '@authpair/contracts';
import {
  type JWSHeaderParameters,
  type JWTVerifyOptions,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { z } from 'zod';
import type { ResourceConfig } from '../config';
import { InvalidTokenError, JwksUnavailableError } from './errors';
import type { JwksCache } from './jwks-cache';
import { VerifiedTokenCache } from './verified-token-cache';

/** Longest token looked at; ours are under 1 KB. Longer input is refused before any decoding. */
export const MAX_TOKEN_LENGTH = 4096;

/** Compact JWS: three base64url segments. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** A kid we could have issued: an RFC 7638 thumbprint is 43 base64url characters. */
const PLAUSIBLE_KID = /^[A-Za-z0-9_-]{1,128}$/;

/** Header parameters that name a key by value or by URL: attacker-controlled (RFC 8725 §3.10), never honoured. */
const KEY_BEARING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'] as const;

/** The claims this service relies on, checked after the signature (ASVS 9.1.1). */
const claimsSchema = z.object({
  iss: z.string(),
  sub: z.string().min(1),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number(),
  iat: z.number(),
  jti: z.string().min(1),
  username: z.string().min(1),
  scope: z.string().optional(),
  sid: z.string().optional(),
  client_id: z.string().optional(),
});

/** Short reasons per jose error code, safe for `error_description` (no quotes or backslashes). */
function describe(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return `the ${error.claim} claim is invalid`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the signature is invalid';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'the algorithm is not allowed';
  if (error instanceof joseErrors.JOSENotSupported) return 'the token uses an unsupported feature';
  if (error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JWSInvalid)
    return 'the token is malformed';
  return 'the token is invalid';
}

/**
 * Verifies access tokens: RS256 only, `typ: at+jwt`, issuer, audience,
 * `exp`/`nbf`/`iat` with a small tolerance and a bounded age, and the keys
 * only from the issuer's JWKS, never from the token.
 */
export class AccessTokenVerifier {
  readonly #jwks: JwksCache;
  readonly #options: JWTVerifyOptions;
  readonly #maxTokenAgeMs: number;
  readonly #resolveKey: (header: JWSHeaderParameters) => Promise<KeyObject>;
  /** Verified claims by token; see VerifiedTokenCache for why a hit is safe. */
  readonly cache: VerifiedTokenCache;

  constructor(settings: ResourceConfig['tokens'], jwks: JwksCache) {
    this.#jwks = jwks;
    this.#maxTokenAgeMs = settings.maxTokenAge * 1000;
    this.cache = new VerifiedTokenCache(settings.verifiedCacheSize, jwks);
    this.#options = {
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      typ: ACCESS_TOKEN_TYPE,
      issuer: settings.issuer,
      audience: settings.audience,
      clockTolerance: settings.clockTolerance,
      maxTokenAge: settings.maxTokenAge,
      requiredClaims: ['exp', 'iat', 'sub', 'jti'],
    };
    this.#resolveKey = async (header) => {
      for (const name of KEY_BEARING_HEADERS) {
        if (name in header) throw new InvalidTokenError(`the ${name} header is not accepted`);
      }
      const { kid } = header;
      if (typeof kid !== 'string' || !PLAUSIBLE_KID.test(kid))
        throw new InvalidTokenError('the kid header is missing or malformed');
      return this.#jwks.getKey(kid);
    };
  }

  /**
   * The verified claims of `token`. Throws InvalidTokenError (401) or
   * JwksUnavailableError (503); nothing else escapes.
   */
  async verify(token: string): Promise<Readonly<VerifiedClaims>> {
    if (token.length > MAX_TOKEN_LENGTH) throw new InvalidTokenError('the token is too long');
    const now = Date.now();
    const cached = this.cache.get(token, now);
    if (cached !== undefined) return cached;
    if (!COMPACT_JWS.test(token)) throw new InvalidTokenError('the token is not a compact JWS');
    let verified: Awaited<ReturnType<typeof jwtVerify>>;
    try {
      verified = await jwtVerify(token, this.#resolveKey, this.#options);
    } catch (error) {
      if (error instanceof InvalidTokenError || error instanceof JwksUnavailableError) throw error;
      throw new InvalidTokenError(describe(error), { cause: error });
    }
    const claims = claimsSchema.safeParse(verified.payload);
    if (!claims.success) throw new InvalidTokenError('the token lacks required claims');
    const { scope, sid, client_id, ...required } = claims.data;
    const result: VerifiedClaims = {
      ...required,
      ...(scope === undefined ? {} : { scope }),
      ...(sid === undefined ? {} : { sid }),
      ...(client_id === undefined ? {} : { client_id }),
    };
    // The resolver accepted only a plausible string kid, so it is one here.
    const expiresAt = Math.min(required.exp * 1000, required.iat * 1000 + this.#maxTokenAgeMs);
    return this.cache.set(token, result, verified.protectedHeader.kid as string, expiresAt);
  }
}
