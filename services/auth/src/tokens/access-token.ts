import { randomUUID } from 'node:crypto';
import {
  ACCESS_TOKEN_ALGORITHM,
  ACCESS_TOKEN_TYPE,
  type AccessTokenClaims,
} from '@authpair/contracts';
import { SignJWT } from 'jose';
import type { KeyRing } from '../keys/key-ring';
import type { TokenSettings } from './token-settings';

/** Who the token is for, and in what session and scope. */
export interface TokenSubject {
  userId: string;
  username: string;
  sessionId?: string;
  scope?: string;
  /** The token must not outlive this (its session's refresh token): `exp` is capped by it. */
  notAfter?: Date;
}

/** The RFC 9068 claim set for a subject at a moment; pure, so it is unit-tested alone. */
export function buildAccessTokenClaims(
  settings: Pick<TokenSettings, 'issuer' | 'audience' | 'clientId' | 'accessTokenTtl'>,
  subject: TokenSubject,
  nowSeconds: number,
  jti: string,
): AccessTokenClaims {
  const claims: AccessTokenClaims = {
    iss: settings.issuer,
    sub: subject.userId,
    aud: settings.audience,
    exp: Math.min(
      nowSeconds + settings.accessTokenTtl,
      subject.notAfter === undefined
        ? Number.POSITIVE_INFINITY
        : Math.floor(subject.notAfter.getTime() / 1000),
    ),
    iat: nowSeconds,
    jti,
    client_id: settings.clientId,
    username: subject.username,
  };
  if (subject.scope !== undefined && subject.scope !== '') claims.scope = subject.scope;
  if (subject.sessionId !== undefined) claims.sid = subject.sessionId;
  return claims;
}

export interface IssuedAccessToken {
  token: string;
  expiresIn: number;
  claims: AccessTokenClaims;
}

/** Signs access tokens with the key ring's active key. */
export function createAccessTokenIssuer(settings: TokenSettings, keys: KeyRing) {
  return {
    async issue(subject: TokenSubject): Promise<IssuedAccessToken> {
      const claims = buildAccessTokenClaims(
        settings,
        subject,
        Math.floor(Date.now() / 1000),
        randomUUID(),
      );
      const { kid, privateKey } = await keys.signingKey();
      const token = await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid })
        .sign(privateKey);
      return { token, expiresIn: claims.exp - claims.iat, claims };
    },
  };
}

export type AccessTokenIssuer = ReturnType<typeof createAccessTokenIssuer>;
