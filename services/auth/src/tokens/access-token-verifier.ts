import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  ACCESS_TOKEN_ALGORITHM,
  ACCESS_TOKEN_TYPE,
  AuthpairError,
  parseScope,
} from '@authpair/contracts';
import { type JWSHeaderParameters, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { AuthConfig } from '../config';
import { type KeyRing, KeyRingUnavailableError } from '../keys/key-ring';

/** The token cannot be accepted: 401 `invalid_token`; the detail is safe to show the client. */
export class InvalidAccessTokenError extends AuthpairError<'invalid_token'> {
  constructor(detail: string, options?: ErrorOptions) {
    super('invalid_token', detail, options);
  }
}

/** Who an access token speaks for. */
export interface AccessTokenPrincipal {
  userId: string;
  username: string;
  sessionId: string;
  /** The token's `scope` claim, split (RFC 9068 §2.2.3). */
  scopes: string[];
}

/** Ours are under 1 KB; longer input is refused before any decoding. */
const MAX_TOKEN_LENGTH = 4096;
/** Same-process clocks agree; replicas may differ by a little. */
const CLOCK_TOLERANCE_SECONDS = 5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const claimsSchema = z.object({
  sub: z.string().regex(UUID),
  sid: z.string().regex(UUID),
  username: z.string().min(1),
  scope: z.string().optional(),
});

/**
 * Verifies this service's own access tokens for the endpoints that take
 * one (`/logout`, `/sessions`, `/password`, `/revoke`): locally, with the
 * key ring's published keys, never over HTTP to itself. RS256 only,
 * `typ: at+jwt`, issuer, audience, `exp` and `iat`. Whether the session is
 * still live is the caller's second step (it needs the database).
 */
export function createAccessTokenVerifier(settings: AuthConfig['tokens'], keys: KeyRing) {
  // Importing a JWK costs more than a lookup; keys are few and immutable per kid.
  const imported = new Map<string, KeyObject>();

  async function keyFor(header: JWSHeaderParameters): Promise<KeyObject> {
    const jwk = (await keys.publishedKeys()).find((key) => key.kid === header.kid);
    if (jwk === undefined) throw new InvalidAccessTokenError('the signing key is not known');
    let key = imported.get(jwk.kid);
    if (key === undefined) {
      key = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
      imported.set(jwk.kid, key);
    }
    return key;
  }

  return {
    /** The principal of a valid token; throws InvalidAccessTokenError otherwise. */
    async verify(token: string): Promise<AccessTokenPrincipal> {
      if (token.length > MAX_TOKEN_LENGTH)
        throw new InvalidAccessTokenError('the access token is invalid');
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, keyFor, {
          algorithms: [ACCESS_TOKEN_ALGORITHM],
          typ: ACCESS_TOKEN_TYPE,
          issuer: settings.issuer,
          audience: settings.audience,
          requiredClaims: ['exp', 'iat', 'sub', 'jti', 'sid'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          maxTokenAge: settings.accessTokenTtl + CLOCK_TOLERANCE_SECONDS,
        }));
      } catch (error) {
        // Keys this replica cannot vouch for now: a 503, not the token's fault.
        if (error instanceof InvalidAccessTokenError || error instanceof KeyRingUnavailableError)
          throw error;
        const reason =
          error instanceof joseErrors.JWTExpired
            ? 'the access token has expired'
            : 'the access token is invalid';
        throw new InvalidAccessTokenError(reason, { cause: error });
      }
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) throw new InvalidAccessTokenError('the access token is invalid');
      return {
        userId: claims.data.sub,
        username: claims.data.username,
        sessionId: claims.data.sid,
        scopes: parseScope(claims.data.scope),
      };
    },
  };
}

export type AccessTokenVerifier = ReturnType<typeof createAccessTokenVerifier>;
