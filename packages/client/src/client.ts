/**
 * `AuthpairClient`: the operations an application calls. The refresh
 * machinery lives in refresher.ts, the state and the tabs in store.ts,
 * the 401 policy in resource-fetch.ts.
 */
import type { ChangePasswordResponse, RegisterResponse, SessionView } from '@authpair/contracts';
import { AuthApi } from './auth-api';
import { crossTabOf, defaultVisibility } from './environment';
import { AuthpairClientError, isClientError } from './errors';
import { Refresher } from './refresher';
import { resourceFetch } from './resource-fetch';
import { RefreshScheduler } from './scheduler';
import { sessionFrom, viewOf } from './session';
import { memoryStorage } from './storage';
import { SessionStore } from './store';
import type { AuthChangeCallback, AuthpairClientOptions, Session } from './types';

export interface Credentials {
  username: string;
  password: string;
}

export interface LogoutOptions {
  /** `session` (default): this session only; `all`: every session of the user, on every device. */
  scope?: 'session' | 'all';
}

/**
 * How long a refresh may take before it is given up and retried: below the
 * auth service's default REFRESH_REUSE_GRACE_SECONDS (5 s), so that a
 * rotation whose answer was lost is retried while the retry still gets the
 * same refresh token.
 */
export const DEFAULT_REFRESH_TIMEOUT_MS = 4000;

export class AuthpairClient {
  readonly #api: AuthApi;
  readonly #store: SessionStore;
  readonly #refresher: Refresher;
  readonly #scheduler: RefreshScheduler;
  readonly #clock: () => number;
  readonly #onError: (error: unknown) => void;
  readonly #fetch: ReturnType<typeof resourceFetch>;
  #disposed = false;

  constructor(options: AuthpairClientOptions) {
    const key = options.storageKey ?? 'authpair.session';
    const clock = options.clock ?? Date.now;
    const onError = options.onError ?? report;
    // Looked up per call, so a fetch installed (or stubbed) later is the one used.
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const crossTab = crossTabOf(options.crossTab, `authpair:${key}`);
    this.#clock = clock;
    this.#onError = onError;
    this.#api = new AuthApi({
      authUrl: options.authUrl,
      clientId: options.clientId,
      fetch: fetchImpl,
      timeoutMs: options.requestTimeoutMs ?? 10_000,
      refreshTimeoutMs: options.refreshTimeoutMs ?? DEFAULT_REFRESH_TIMEOUT_MS,
      credentials: options.credentials,
    });
    this.#store = new SessionStore({
      storage: options.storage ?? memoryStorage(),
      key,
      channel: crossTab.channel,
      clock,
      onError,
    });
    this.#refresher = new Refresher({
      store: this.#store,
      api: this.#api,
      crossTab,
      lockName: `authpair:${key}`,
      clock,
      retry: { baseMs: options.retry?.baseMs ?? 1000, maxMs: options.retry?.maxMs ?? 30_000 },
      onSettled: () => this.#scheduler.schedule(),
      onError,
    });
    this.#scheduler = new RefreshScheduler(
      this.#store,
      this.#refresher,
      options.visibility ?? defaultVisibility(),
      clock,
    );
    this.#store.onChange = () => this.#scheduler.schedule();
    this.#fetch = resourceFetch(this.#refresher, fetchImpl);
    if (options.autoRefresh !== false)
      this.#store.ready.then(() => this.#disposed || this.#scheduler.start(), onError);
  }

  /** Settles once the stored session has been read; every operation waits for it. */
  get ready(): Promise<void> {
    return this.#store.ready;
  }

  /** The current session, or null; synchronous (read after `ready`). */
  getSession(): Session | null {
    const session = this.#store.current;
    return session === undefined ? null : viewOf(session);
  }

  /**
   * Subscribes to INITIAL_SESSION (first, once the stored session is read),
   * SIGNED_IN, TOKEN_REFRESHED, USER_UPDATED and SIGNED_OUT, from this tab
   * and the others. Delivered after the state is saved, never while the
   * refresh lock is held, never awaited: a callback may call the client.
   */
  onAuthStateChange(callback: AuthChangeCallback): () => void {
    return this.#store.subscribe(callback);
  }

  /** An access token valid now, refreshed first if needed (one refresh shared by all callers). */
  async getAccessToken(): Promise<string> {
    await this.#ready();
    return this.#refresher.accessToken();
  }

  /** `fetch` for a resource server, with the current access token (see resource-fetch.ts for 401s). */
  async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    await this.#ready();
    return this.#fetch(input, init);
  }

  /** Refreshes now, whatever the expiry (shared with a refresh already running). */
  async refreshSession(): Promise<Session> {
    await this.#ready();
    const session = this.#store.current;
    if (session === undefined) throw notSignedIn();
    return viewOf(await this.#refresher.replacing(session.accessToken));
  }

  /** Creates an account; does not sign in. */
  async register(credentials: Credentials): Promise<RegisterResponse> {
    await this.#ready();
    return this.#api.register(credentials);
  }

  /** Signs in, replacing (and revoking) any session this client held. */
  async login(credentials: Credentials): Promise<Session> {
    await this.#ready();
    const sentAt = this.#clock();
    const tokens = await this.#api.login(credentials);
    const previous = this.#store.current;
    const session = sessionFrom(tokens, sentAt, this.#store.nextVersion());
    await this.#store.save(session);
    // The old session cannot be reached any more: end it rather than leave it live.
    if (previous?.refreshToken !== undefined && previous.sessionId !== session.sessionId)
      this.#api.revoke(previous.refreshToken, 'refresh_token').catch(() => {});
    return viewOf(session);
  }

  /**
   * Cookie mode, where a backend-for-frontend keeps the refresh token in an
   * HttpOnly cookie that page JavaScript cannot read: takes up the session
   * that cookie carries, after a reload or in a new tab, with a refresh
   * that sends no refresh token (the cookie does). Resolves with the
   * session (`SIGNED_IN`), or null when the cookie carries no live one
   * (`invalid_grant`); with a session held already, that one, unrefreshed.
   * A network error or a 5xx is thrown, `retryable`.
   */
  async restore(): Promise<Session | null> {
    await this.#ready();
    const held = this.#store.current;
    if (held !== undefined) return viewOf(held);
    const epoch = this.#store.epoch;
    const sentAt = this.#clock();
    let tokens: Awaited<ReturnType<AuthApi['refresh']>>;
    try {
      tokens = await this.#api.refresh(undefined);
    } catch (error) {
      if (isClientError(error) && error.code === 'invalid_grant') return null;
      throw error;
    }
    // A login, or another tab's session, got here first: it stands, this answer is void.
    if (this.#store.epoch !== epoch || this.#store.current !== undefined) return this.getSession();
    const session = sessionFrom(tokens, sentAt, this.#store.nextVersion());
    await this.#store.save(session);
    return viewOf(session);
  }

  /**
   * Logs out. This session: forgotten here at once (and any refresh in
   * flight thrown away), then ended at the server; if that call fails the
   * error is thrown, the tokens are gone anyway. All sessions: ended at the
   * server first, so a failure leaves this one usable to try again.
   */
  async logout({ scope = 'session' }: LogoutOptions = {}): Promise<void> {
    await this.#ready();
    if (this.#store.current === undefined) return;
    let token: string;
    try {
      token = await this.#refresher.accessToken();
    } catch (error) {
      if (isClientError(error) && error.code === 'signed_out') return;
      if (scope === 'all') throw error;
      return this.#forgetAndRevoke(error);
    }
    const session = this.#store.current;
    if (scope === 'all') {
      await this.#api.logout(token, true);
      await this.#store.clear('user', true);
      return;
    }
    await this.#store.clear('user');
    try {
      await this.#api.logout(token, false);
    } catch (error) {
      // 401: the session had ended already. Otherwise fall back to RFC 7009.
      if (isClientError(error) && error.status === 401) return;
      if (session?.refreshToken === undefined) throw error;
      await this.#api.revoke(session.refreshToken, 'refresh_token');
    }
  }

  /**
   * RFC 7009: revokes `token`, by default this session's refresh token,
   * which ends this session (signed out here with reason `user`).
   */
  async revoke(token?: string, hint?: 'refresh_token' | 'access_token'): Promise<void> {
    await this.#ready();
    const session = this.#store.current;
    const own =
      session !== undefined &&
      (token === undefined || token === session.refreshToken || token === session.accessToken);
    const target = token ?? session?.refreshToken;
    if (target === undefined) throw notSignedIn();
    await this.#api.revoke(target, hint ?? (token === undefined ? 'refresh_token' : undefined));
    if (own) await this.#store.clear('user');
  }

  /** The user's live sessions, most recently used first; `current` marks this one. */
  async listSessions(): Promise<SessionView[]> {
    const token = await this.getAccessToken();
    return (await this.#api.sessions(token)).sessions;
  }

  /** Ends one of the user's sessions; ending this one signs out here. */
  async endSession(id: string): Promise<void> {
    const token = await this.getAccessToken();
    await this.#api.endSession(token, id);
    if (id === this.#store.current?.sessionId) await this.#store.clear('user');
    else this.#store.endedElsewhere(id);
  }

  /** Changes the password; the user's other sessions end, this one continues (USER_UPDATED). */
  async changePassword(passwords: {
    currentPassword: string;
    newPassword: string;
  }): Promise<ChangePasswordResponse> {
    const token = await this.getAccessToken();
    const answer = await this.#api.changePassword(token, {
      current_password: passwords.currentPassword,
      new_password: passwords.newPassword,
    });
    this.#store.userUpdated();
    return answer;
  }

  /**
   * Stops timers and listeners, closes the channel, drops subscribers. The
   * stored session stays (this is not a logout), and a refresh already in
   * flight still saves its result, so the next client finds live tokens.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#scheduler.stop();
    this.#store.dispose(this.#refresher.idle());
  }

  async #ready(): Promise<void> {
    if (this.#disposed) throw new AuthpairClientError('disposed', 'this client was disposed');
    await this.#store.ready;
  }

  /** No usable access token to log out with: forget the session, end it with RFC 7009. */
  async #forgetAndRevoke(cause: unknown): Promise<void> {
    const refreshToken = this.#store.current?.refreshToken;
    await this.#store.clear('user');
    if (refreshToken === undefined) throw cause;
    await this.#api.revoke(refreshToken, 'refresh_token');
  }
}

function notSignedIn(): AuthpairClientError {
  return new AuthpairClientError('not_signed_in', 'no session: log in first');
}

/** Where errors nobody awaits go by default: the page's error reporting, else the console. */
function report(error: unknown): void {
  const reportError = (globalThis as { reportError?: (error: unknown) => void }).reportError;
  if (reportError !== undefined) reportError(error);
  else console.error(error);
}
