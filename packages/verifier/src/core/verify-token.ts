import type { KeyObject } from 'node:crypto';
import {
  ACCESS_TOKEN_ALGORITHM,
  ACCESS_TOKEN_TYPE,
  type AccessTokenClaims,
  accessTokenClaimsSchema,
  isAuthpairError,
  MAX_TOKEN_LENGTH,
} from '@authpair/contracts';
import { type JWSHeaderParameters, type JWTVerifyOptions, jwtVerify } from 'jose';
import { InvalidTokenError } from '../errors';
import { type DescribeRefusal, describeRefusal, refusalOf } from './refusals';

/**
 * The key a token names by `kid`, or an AuthpairError: InvalidTokenError
 * when the issuer does not publish it, a 503 when that cannot be known now.
 * The resource side resolves from the JWKS cache, the issuer from its own
 * key ring. Only ever called with a plausible `kid` (see PLAUSIBLE_KID).
 */
export type KeyResolver = (kid: string) => Promise<KeyObject> | KeyObject;

/** What a token must satisfy besides its signature. */
export interface TokenPolicy {
  /** Required `iss`. */
  issuer: string;
  /** Required `aud` (or one of it). */
  audience: string;
  /** Seconds of clock skew allowed on `exp`, `nbf` and `iat`. */
  clockTolerance: number;
  /** Oldest `iat` accepted, seconds: bounds a token whatever its `exp` says. */
  maxTokenAge: number;
  /** How refusals are worded to the client; default `describeRefusal`. */
  describe?: DescribeRefusal;
}

/** A token that passed every check, and the key that verified it. */
export interface VerifiedToken {
  claims: AccessTokenClaims;
  kid: string;
  /** The very key `resolveKey` gave: a cache of the result holds while `kid` still names it. */
  key: KeyObject;
}

/** Compact JWS: three base64url segments. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** A kid we could have issued: an RFC 7638 thumbprint is 43 base64url characters. */
const PLAUSIBLE_KID = /^[A-Za-z0-9_-]{1,128}$/;

/** Header parameters that name a key by value or by URL: attacker-controlled (RFC 8725 §3.10), never honoured. */
const KEY_BEARING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'] as const;

/**
 * The one verification core, for the issuer's own endpoints and every
 * resource server alike: returns a function that verifies an access token
 * with keys from `resolveKey` only, never from the token. In order:
 *
 * - at most MAX_TOKEN_LENGTH characters, a compact JWS (three segments);
 * - no header naming a key (`jwk`, `jku`, `x5u`, `x5c`, `x5t`; RFC 8725
 *   §3.10), a plausible `kid`, and no unknown `crit` (jose);
 * - `alg` RS256 only (RFC 8725 §3.1; `none` and HS256 refused) and the
 *   signature, before any claim is believed (ASVS 9.1.1);
 * - `typ` `at+jwt` (RFC 9068 §2.1, RFC 8725 §3.11), `iss`, `aud`, `exp`
 *   and `nbf` within `clockTolerance`, `iat` present, not in the future and
 *   not older than `maxTokenAge` (jose, with `requiredClaims`);
 * - the claims of `accessTokenClaimsSchema` (RFC 9068 §2.2).
 *
 * Throws InvalidTokenError, or whatever AuthpairError `resolveKey` threw
 * (a 503 when keys cannot be known); nothing else escapes.
 */
export function createTokenVerifier(
  policy: TokenPolicy,
  resolveKey: KeyResolver,
): (token: string) => Promise<VerifiedToken> {
  const describe = policy.describe ?? describeRefusal;
  const refuse = (refusal: Parameters<DescribeRefusal>[0], cause?: unknown) =>
    new InvalidTokenError(describe(refusal), cause === undefined ? undefined : { cause });
  const options: JWTVerifyOptions = {
    algorithms: [ACCESS_TOKEN_ALGORITHM],
    typ: ACCESS_TOKEN_TYPE,
    issuer: policy.issuer,
    audience: policy.audience,
    clockTolerance: policy.clockTolerance,
    maxTokenAge: policy.maxTokenAge,
    requiredClaims: ['exp', 'iat', 'sub', 'jti'],
  };
  // jose calls this after checking the header's alg and crit, before the signature.
  const keyFor = (header: JWSHeaderParameters): Promise<KeyObject> | KeyObject => {
    for (const name of KEY_BEARING_HEADERS) {
      if (name in header) throw refuse({ kind: 'key_bearing_header', header: name });
    }
    const { kid } = header;
    if (typeof kid !== 'string' || !PLAUSIBLE_KID.test(kid)) throw refuse({ kind: 'kid' });
    return resolveKey(kid);
  };

  // Not async, and no async layer inside: on this path every promise and
  // resumption is measurable beside the RSA check (docs/performance.md).
  return function verifyAccessToken(token) {
    // Typed a string, but a JavaScript caller may pass a header that is absent: a 401, not a TypeError.
    if (typeof token !== 'string') return Promise.reject(refuse({ kind: 'not_compact' }));
    if (token.length > MAX_TOKEN_LENGTH) return Promise.reject(refuse({ kind: 'too_long' }));
    if (!COMPACT_JWS.test(token)) return Promise.reject(refuse({ kind: 'not_compact' }));
    // jose hands back its own normalised form of the key: keep the one resolved.
    let key: KeyObject | undefined;
    const keyOfToken = (header: JWSHeaderParameters): Promise<KeyObject> | KeyObject => {
      const resolved = keyFor(header);
      if (resolved instanceof Promise) return resolved.then((known) => (key = known));
      key = resolved;
      return resolved;
    };
    return jwtVerify(token, keyOfToken, options).then(
      (verified) => {
        const claims = accessTokenClaimsSchema.safeParse(verified.payload);
        if (!claims.success) throw refuse({ kind: 'claims' });
        // keyFor accepted only a plausible string kid, and resolved the key that verified.
        return {
          claims: claims.data,
          kid: verified.protectedHeader.kid as string,
          key: key as KeyObject,
        };
      },
      (error: unknown) => {
        if (isAuthpairError(error)) throw error;
        throw refuse(refusalOf(error), error);
      },
    );
  };
}
