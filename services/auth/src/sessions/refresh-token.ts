import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Refresh tokens are opaque: `aprt_` and 32 random bytes in base64url. The
 * prefix makes one recognisable in a leaked log or a secret scanner, and
 * since it is never a JWS it can never pass for an access token, nor an
 * access token for it (RFC 8725 §3.12).
 */
export const REFRESH_TOKEN_PREFIX = 'aprt_';

const RANDOM_BYTES = 32;
const FORMAT = /^aprt_[A-Za-z0-9_-]{43}$/;

export interface NewRefreshToken {
  /** Given to the client once; never stored. */
  token: string;
  /** What the database keeps. */
  hash: Buffer;
}

/** SHA-256 of the token: the token carries 256 random bits, so a slow hash would add nothing. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function generateRefreshToken(): NewRefreshToken {
  const token = `${REFRESH_TOKEN_PREFIX}${randomBytes(RANDOM_BYTES).toString('base64url')}`;
  return { token, hash: digest(token) };
}

/**
 * The child a rotation issues for `parent`: HMAC-SHA-256 under
 * REFRESH_TOKEN_SECRET of the parent and the child's row id. Deterministic,
 * so a retry of the parent inside the grace window is answered with the
 * same child although only its hash is stored (GoTrue answers such a retry
 * with the session's active token too): a client that lost the response,
 * or two tabs racing, end up holding one token. The row id is random and
 * stored only in the database, so the secret and an old token alone do not
 * yield the family's later tokens.
 */
export function childRefreshToken(
  secret: string,
  childId: string,
  parent: string,
): NewRefreshToken {
  const mac = createHmac('sha256', secret)
    .update(`authpair refresh child\0${childId}\0${parent}`)
    .digest('base64url');
  const token = `${REFRESH_TOKEN_PREFIX}${mac}`;
  return { token, hash: digest(token) };
}

/** Whether a string has the shape of a refresh token this service issues. */
export function looksLikeRefreshToken(candidate: string): boolean {
  return FORMAT.test(candidate);
}

/** The stored hash of a presented token, or `undefined` when it cannot be one of ours. */
export function refreshTokenHash(candidate: string): Buffer | undefined {
  return looksLikeRefreshToken(candidate) ? digest(candidate) : undefined;
}
