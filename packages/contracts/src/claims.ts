/**
 * Access-token claims: the JWT profile for OAuth 2.0 access tokens (RFC 9068)
 * as authpair issues it.
 */

/** RFC 9068 §2.1: the `typ` header of every access token. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** The only signature algorithm issued and accepted (RFC 8725 §3.1: one algorithm per key). */
export const ACCESS_TOKEN_ALGORITHM = 'RS256';

/** The protected header of an access token as issued. */
export interface AccessTokenHeader {
  /** RFC 7515 §4.1.1. Always `RS256`. */
  alg: typeof ACCESS_TOKEN_ALGORITHM;
  /** RFC 9068 §2.1 / RFC 8725 §3.11: explicit typing. */
  typ: typeof ACCESS_TOKEN_TYPE;
  /** RFC 7515 §4.1.4: the signing key's id in the issuer's JWKS. */
  kid: string;
}

/** The claims of an access token as issued. */
export interface AccessTokenClaims {
  /** RFC 7519 §4.1.1: the issuer, the auth service's public URL (`JWT_ISSUER`). */
  iss: string;
  /** RFC 7519 §4.1.2: the user's id (a UUID). */
  sub: string;
  /** RFC 7519 §4.1.3: the resource servers this token is for (`JWT_AUDIENCE`). */
  aud: string | string[];
  /** RFC 7519 §4.1.4: expiry, seconds since the epoch. */
  exp: number;
  /** RFC 7519 §4.1.6: issue time, seconds since the epoch. */
  iat: number;
  /** RFC 7519 §4.1.7: a unique id for this token. */
  jti: string;
  /** RFC 9068 §2.2: the client the token was issued to. */
  client_id: string;
  /** The user's display username at the time of issue. */
  username: string;
  /** RFC 9068 §2.2.3 / RFC 8693 §4.2: space-separated scopes, when roles grant any. */
  scope?: string;
  /** OpenID Connect Front-Channel Logout §3: the session this token belongs to. */
  sid?: string;
}
