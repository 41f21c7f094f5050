/**
 * The session as the client keeps it, and the timing rules. Expiry is
 * local knowledge: `expires_in` counted from when the request left, on
 * this machine's clock. The token's `exp` is never compared with the local
 * clock, so a device whose clock is minutes off still refreshes on time.
 */
import type { TokenResponse } from '@authpair/contracts';
import type { Session, SessionUser } from './types';

const FORMAT = 1;
/** Refresh this long before expiry at most... */
const MAX_MARGIN_MS = 60_000;
/** ...and at most this share of the lifetime, so a 30 s token is not refreshed as soon as it arrives. */
const MARGIN_SHARE = 4;

export interface StoredSession {
  readonly v: typeof FORMAT;
  readonly accessToken: string;
  /** Absent when a cookie carries it (a backend-for-frontend holds it, not page JavaScript). */
  readonly refreshToken?: string;
  readonly expiresIn: number;
  readonly expiresAt: number;
  readonly refreshAt: number;
  readonly scope?: string;
  readonly sessionId?: string;
  readonly user?: SessionUser;
  /**
   * Orders the sessions of one storage key across tabs (Lamport-style: above
   * the local clock and every version seen), so a late message never wins
   * over a newer session, even when the wall clock steps back.
   */
  readonly version: number;
}

export function refreshMarginMs(expiresInSeconds: number): number {
  return Math.min(MAX_MARGIN_MS, (expiresInSeconds * 1000) / MARGIN_SHARE);
}

/** The token response if it has what RFC 6749 §5.1 requires; undefined otherwise. */
export function asTokenResponse(body: unknown): TokenResponse | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { access_token, token_type, expires_in, refresh_token, scope } = body as Record<
    string,
    unknown
  >;
  if (typeof access_token !== 'string' || access_token === '') return undefined;
  if (typeof token_type !== 'string' || token_type.toLowerCase() !== 'bearer') return undefined;
  if (typeof expires_in !== 'number' || !(expires_in > 0)) return undefined;
  if (refresh_token !== undefined && typeof refresh_token !== 'string') return undefined;
  if (scope !== undefined && typeof scope !== 'string') return undefined;
  return {
    access_token,
    token_type: 'Bearer',
    expires_in,
    ...(refresh_token === undefined ? {} : { refresh_token }),
    ...(scope === undefined ? {} : { scope }),
  };
}

/**
 * A session from a token response. `sentAt` is when the request left: the
 * token cannot have been issued before, so its local expiry is never late.
 * RFC 6749 §6: a refresh answer without a refresh token keeps the old one.
 */
export function sessionFrom(
  tokens: TokenResponse,
  sentAt: number,
  version: number,
  previousRefreshToken?: string,
): StoredSession {
  const expiresAt = sentAt + tokens.expires_in * 1000;
  const claims = claimsOf(tokens.access_token);
  const refreshToken = tokens.refresh_token ?? previousRefreshToken;
  const scope = tokens.scope ?? claims.scope;
  return {
    v: FORMAT,
    accessToken: tokens.access_token,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    expiresIn: tokens.expires_in,
    expiresAt,
    refreshAt: expiresAt - refreshMarginMs(tokens.expires_in),
    ...(scope === undefined ? {} : { scope }),
    ...(claims.sid === undefined ? {} : { sessionId: claims.sid }),
    ...(claims.sub === undefined ? {} : { user: { id: claims.sub, username: claims.username } }),
    version,
  };
}

interface DisplayClaims {
  sub?: string;
  username?: string;
  sid?: string;
  scope?: string;
}

/** Who and which session, from the JWT payload; for display and bookkeeping, never trusted. */
function claimsOf(token: string): DisplayClaims {
  try {
    const payload = token.split('.')[1] ?? '';
    const binary = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const json: unknown = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0))),
    );
    if (typeof json !== 'object' || json === null) return {};
    const claims: DisplayClaims = {};
    for (const name of ['sub', 'username', 'sid', 'scope'] as const) {
      const value = (json as Record<string, unknown>)[name];
      if (typeof value === 'string') claims[name] = value;
    }
    return claims;
  } catch {
    // An opaque access token: nothing to show, nothing lost.
    return {};
  }
}

export function serialize(session: StoredSession): string {
  return JSON.stringify(session);
}

/** A stored session, or undefined for anything else (absent, corrupt, an older format). */
export function deserialize(text: string | null): StoredSession | undefined {
  if (text === null) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isStoredSession(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function isStoredSession(value: unknown): value is StoredSession {
  if (typeof value !== 'object' || value === null) return false;
  const session = value as Record<string, unknown>;
  const optionalString = (name: string) =>
    session[name] === undefined || typeof session[name] === 'string';
  return (
    session.v === FORMAT &&
    typeof session.accessToken === 'string' &&
    optionalString('refreshToken') &&
    optionalString('scope') &&
    optionalString('sessionId') &&
    ['expiresIn', 'expiresAt', 'refreshAt', 'version'].every((name) =>
      Number.isFinite(session[name]),
    ) &&
    (session.user === undefined || (typeof session.user === 'object' && session.user !== null))
  );
}

/** What the application sees: no refresh token. */
export function viewOf(session: StoredSession): Session {
  return {
    accessToken: session.accessToken,
    tokenType: 'Bearer',
    expiresAt: session.expiresAt,
    refreshAt: session.refreshAt,
    scope: session.scope,
    sessionId: session.sessionId,
    user: session.user,
  };
}

/** Whether two sessions are the same server-side session (one token family). */
export function sameSession(a: StoredSession | undefined, b: StoredSession | undefined): boolean {
  return a !== undefined && b !== undefined && a.sessionId === b.sessionId;
}
