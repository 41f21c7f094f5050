/**
 * Access tokens: the JWT profile for OAuth 2.0 access tokens (RFC 9068) as
 * authpair issues and accepts them. The claims are described once, here:
 * the schema below is what every verifier parses a verified payload with,
 * the OpenAPI documents show it, and the types are inferred from it.
 */
import { z } from 'zod';

/** RFC 9068 §2.1: the `typ` header of every access token. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** The only signature algorithm issued and accepted (RFC 8725 §3.1: one algorithm per key). */
export const ACCESS_TOKEN_ALGORITHM = 'RS256';

/**
 * Longest access token looked at, in characters. Ours are under 1 KB;
 * longer input is refused before any decoding.
 */
export const MAX_TOKEN_LENGTH = 4096;

/** The protected header of an access token as issued. */
export interface AccessTokenHeader {
  /** RFC 7515 §4.1.1. Always `RS256`. */
  alg: typeof ACCESS_TOKEN_ALGORITHM;
  /** RFC 9068 §2.1 / RFC 8725 §3.11: explicit typing. */
  typ: typeof ACCESS_TOKEN_TYPE;
  /** RFC 7515 §4.1.4: the signing key's id in the issuer's JWKS. */
  kid: string;
}

/** RFC 7519 §2 NumericDate: seconds since the epoch. */
const numericDate = z.number();

/**
 * The claims of an access token (RFC 9068 §2.2). What the issuer signs, and
 * what a verifier accepts once the signature, `iss`, `aud`, `exp`, `nbf`
 * and `iat` have been checked (RFC 8725, ASVS 9.1.1: signature first). A
 * payload that lacks a required claim here is refused. Members not listed
 * are dropped.
 */
export const accessTokenClaimsSchema = z.object({
  /** RFC 9068 §2.2 / RFC 7519 §4.1.1: the issuer, the auth service's public URL (`JWT_ISSUER`). */
  iss: z.string().meta({ description: "The issuer: the auth service's public URL." }),
  /** RFC 9068 §2.2 / RFC 7519 §4.1.2: the user's id (a UUID). */
  sub: z.string().min(1).meta({ description: "The user's id." }),
  /** RFC 9068 §2.2 / RFC 7519 §4.1.3: the resource servers this token is for (`JWT_AUDIENCE`). */
  aud: z
    .union([z.string(), z.array(z.string())])
    .meta({ description: 'The resource servers the token is for.' }),
  /** RFC 9068 §2.2 / RFC 7519 §4.1.4: expiry, a NumericDate. */
  exp: numericDate.meta({ description: 'Expiry, seconds since the epoch.' }),
  /** RFC 9068 §2.2 / RFC 7519 §4.1.6: issue time, a NumericDate. */
  iat: numericDate.meta({ description: 'Issue time, seconds since the epoch.' }),
  /** RFC 9068 §2.2 / RFC 7519 §4.1.7: a unique id for this token. */
  jti: z.string().min(1).meta({ description: 'A unique id for this token.' }),
  /** RFC 9068 §2.2 / RFC 8693 §4.3: the client the token was issued to (`TOKEN_CLIENT_ID`). */
  client_id: z
    .string()
    .min(1)
    .meta({ description: 'The client the token was issued to (RFC 9068 §2.2).' }),
  /** Not registered: the user's username at the time of issue, for display. */
  username: z
    .string()
    .min(1)
    .meta({ description: "The user's username when the token was issued." }),
  /**
   * RFC 9068 §2.2.3 / RFC 8693 §4.2: space-separated scopes, when the
   * user's roles grant any (see `roles.ts`).
   */
  scope: z
    .string()
    .optional()
    .meta({
      description: 'Space-separated scopes (RFC 9068 §2.2.3).',
      examples: ['profile admin'],
    }),
  /**
   * OpenID Connect Front-Channel Logout 1.0 §3: the session this token
   * belongs to. A verifier that reads the revocation feed refuses a token
   * without one: it could never be revoked.
   */
  sid: z.string().optional().meta({ description: 'The session the token belongs to.' }),
});

/** The claims of an access token, as issued and as verified. */
export type AccessTokenClaims = z.infer<typeof accessTokenClaimsSchema>;
