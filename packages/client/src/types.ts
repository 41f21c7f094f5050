/**
 * The public shapes of the client: its session, its events and its
 * options. Wire types come from `@authpair/contracts` as types only, so
 * the bundle carries none of its runtime (zod).
 */
import type { StorageAdapter } from './storage';

/** Why the client signed out. */
export type SignOutReason =
  /** This client (or another tab of it) logged out, or revoked its own token. */
  | 'user'
  /** The server ended the session: a logout elsewhere, an administrator, a password change, or a token it no longer knows. */
  | 'revoked'
  /** A spent refresh token was presented again, by someone else or a broken client: the server ended the session. */
  | 'reuse_detected'
  /** An administrator disabled the account. */
  | 'disabled'
  /** The refresh token or the session outlived its lifetime. */
  | 'expired';

export type AuthChangeEvent =
  | 'INITIAL_SESSION'
  | 'SIGNED_IN'
  | 'TOKEN_REFRESHED'
  | 'USER_UPDATED'
  | 'SIGNED_OUT';

/** Who the session belongs to, read from the access token's claims (for display; never verified here). */
export interface SessionUser {
  /** `sub`: the user's id. */
  readonly id: string;
  readonly username: string | undefined;
}

/** The signed-in state as the application sees it. The refresh token is never exposed here. */
export interface Session {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** Local clock, ms: when the access token expires, from `expires_in` counted from when the request was sent. */
  readonly expiresAt: number;
  /** Local clock, ms: from when the client refreshes it (the smaller of 60 s and a quarter of its lifetime before expiry). */
  readonly refreshAt: number;
  /** The granted scopes, space-separated, when any. */
  readonly scope: string | undefined;
  /** `sid`: the server-side session this belongs to; `listSessions()` marks it `current`. */
  readonly sessionId: string | undefined;
  readonly user: SessionUser | undefined;
}

/** What a subscriber receives. `reason` only with `SIGNED_OUT`. */
export interface AuthChange {
  readonly event: AuthChangeEvent;
  readonly session: Session | null;
  readonly reason?: SignOutReason;
}

export type AuthChangeCallback = (change: AuthChange) => void;

/** The part of the Web Locks API the client uses (`navigator.locks`). */
export interface LockManagerLike {
  request<T>(
    name: string,
    options: { mode?: 'exclusive'; signal?: AbortSignal; steal?: boolean },
    callback: (lock: unknown) => Promise<T>,
  ): Promise<T>;
}

/** The part of `BroadcastChannel` the client uses. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
  unref?(): void;
}

/** Whether the page is visible, and a way to hear when that changes (`document.visibilityState`). */
export interface VisibilityLike {
  isVisible(): boolean;
  /** Calls `listener` on every change; returns a function that stops it. */
  onChange(listener: () => void): () => void;
}

export interface CrossTabOptions {
  /** `navigator.locks` unless given; `null`: no lock (one process, one client). */
  locks?: LockManagerLike | null;
  /** Opens the channel other tabs hear on; `BroadcastChannel` unless given; `null`: none. */
  channel?: ((name: string) => ChannelLike) | null;
  /** How long to wait for another tab's refresh to release the lock, ms (default 15 000). */
  lockTimeoutMs?: number;
}

export interface RetryOptions {
  /** First delay after a failed refresh, ms (default 1 000); doubled after each further failure. */
  baseMs?: number;
  /** The longest delay between two attempts, ms (default 30 000). */
  maxMs?: number;
}

export interface AuthpairClientOptions {
  /** Where the auth service answers, e.g. `https://auth.example.com` (its paths are appended). */
  authUrl: string;
  /** `client_id` sent on `/token` and `/revoke`, when the service expects one. */
  clientId?: string;
  /** Where the session is kept: memory unless given (see docs/client.md for the XSS trade-off). */
  storage?: StorageAdapter;
  /** Names the stored session, the lock and the channel; clients with the same key share one session. */
  storageKey?: string;
  /** Refresh in the background before expiry (default true). Off, tokens are refreshed when asked for. */
  autoRefresh?: boolean;
  /** Tabs coordinating through a Web Lock and a BroadcastChannel; on by default in a page, off in Node. */
  crossTab?: CrossTabOptions | false;
  /** The page's visibility; from `document` in a page, always visible elsewhere. */
  visibility?: VisibilityLike;
  retry?: RetryOptions;
  /** Gives up on a call to the auth service after this long, ms (default 10 000). */
  requestTimeoutMs?: number;
  /**
   * Gives up on a refresh after this long, ms (default 4000), and retries
   * it. Keep it below the auth service's REFRESH_REUSE_GRACE_SECONDS (5 s):
   * a rotation whose answer was lost is then retried while the retry still
   * gets the same refresh token; a retry after the window is reuse, and
   * ends the session.
   */
  refreshTimeoutMs?: number;
  /** `credentials` of the calls to the auth service (`include` for a cookie-holding backend-for-frontend). */
  credentials?: 'omit' | 'same-origin' | 'include';
  /** The fetch used for every call (default `globalThis.fetch`). */
  fetch?: typeof fetch;
  /** The local clock, ms (default `Date.now`). */
  clock?: () => number;
  /** Called with errors thrown by subscribers and by background refreshes that nobody awaits. */
  onError?: (error: unknown) => void;
}
