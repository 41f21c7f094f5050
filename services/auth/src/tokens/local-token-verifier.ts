import { createPublicKey, type KeyObject } from 'node:crypto';
import { type AccessTokenClaims, parseScope } from '@authpair/contracts';
import { createTokenVerifier, type DescribeRefusal, InvalidTokenError } from '@authpair/verifier';
import type { KeyRing } from '../keys/key-ring';
import type { TokenSettings } from './token-settings';

/** Who an access token speaks for. */
export interface AccessTokenPrincipal {
  userId: string;
  username: string;
  sessionId: string;
  /** The token's `scope` claim, split (RFC 9068 §2.2.3). */
  scopes: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** This service has always told the holder of one of its tokens only whether it expired. */
const describeOwnRefusal: DescribeRefusal = (refusal) =>
  refusal.kind === 'expired' ? 'the access token has expired' : 'the access token is invalid';

/**
 * Who a verified token speaks for. Ours always name the user and the
 * session by UUID; anything else is refused here rather than reaching a
 * query as a malformed uuid.
 */
function principalOf(claims: Readonly<AccessTokenClaims>): AccessTokenPrincipal {
  const { sub, sid, username, scope } = claims;
  if (!UUID.test(sub) || sid === undefined || !UUID.test(sid))
    throw new InvalidTokenError('the access token is invalid');
  return { userId: sub, username, sessionId: sid, scopes: parseScope(scope) };
}

/**
 * Verifies this service's own access tokens for the endpoints that take
 * one (`/logout`, `/sessions`, `/password`, `/revoke`, `/admin`): with the
 * verification core every resource server uses (@authpair/verifier), and
 * the key ring's published keys as its key resolver, so locally and never
 * over HTTP to itself. Whether the session is still live is the caller's
 * second step (it needs the database).
 */
export function createLocalTokenVerifier(settings: TokenSettings, keys: KeyRing) {
  // Importing a JWK costs more than a lookup; keys are few and immutable per kid.
  const imported = new Map<string, KeyObject>();

  /** Throws KeyRingUnavailableError (503) when this replica cannot vouch for its keys now. */
  async function publishedKey(kid: string): Promise<KeyObject> {
    const jwk = (await keys.publishedKeys()).find((key) => key.kid === kid);
    if (jwk === undefined) throw new InvalidTokenError('the signing key is not known');
    let key = imported.get(jwk.kid);
    if (key === undefined) {
      key = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
      imported.set(jwk.kid, key);
    }
    return key;
  }

  const verifyToken = createTokenVerifier(
    {
      issuer: settings.issuer,
      audience: settings.audience,
      clockTolerance: settings.clockTolerance,
      // A token of ours is never older than its lifetime.
      maxTokenAge: settings.accessTokenTtl + settings.clockTolerance,
      describe: describeOwnRefusal,
    },
    publishedKey,
  );

  return {
    /** The principal of a valid token; throws InvalidTokenError (401) or a 503 otherwise. */
    async verify(token: string): Promise<AccessTokenPrincipal> {
      const { claims } = await verifyToken(token);
      return principalOf(claims);
    },
  };
}

export type LocalTokenVerifier = ReturnType<typeof createLocalTokenVerifier>;
