/**
 * The refresh: one in flight per client, one at a time per storage key
 * across tabs, never presenting a refresh token someone else already spent.
 *
 * 1. Every caller that needs a refresh while one runs gets that one's
 *    promise (auth0-spa-js #553: concurrent `getTokenSilently` calls each
 *    took a "lock" and spent the same token).
 * 2. The refresh runs under the Web Lock of the storage key, acquired with
 *    a timeout (supabase-js hung forever on a lock nobody released).
 * 3. Holding it, the client reads the newest session again (storage, and
 *    what the channel delivered) and, if another tab rotated meanwhile,
 *    takes that session instead of refreshing (supabase/auth-js #213,
 *    oidc-client-ts #430, directus #22360: two tabs refreshing at once,
 *    the loser presenting a spent token and ending the session).
 * 4. The result is saved and broadcast before the lock is released;
 *    subscribers hear of it only after (store.hold/release).
 * 5. A refresh that completes after the session was ended or replaced here
 *    (a logout) is thrown away, never saved.
 */
import type { AuthApi } from './auth-api';
import { type CrossTab, timer, withLock } from './environment';
import { AuthpairClientError, isClientError, signedOut, signOutReasonOf } from './errors';
import { type StoredSession, sessionFrom } from './session';
import type { SessionStore } from './store';

/** On demand, a failed refresh is not retried sooner than this. */
const MIN_GAP_MS = 1000;
/** Whatever a server's Retry-After says, try again within this. */
const MAX_RETRY_AFTER_MS = 300_000;

export interface RefresherDeps {
  store: SessionStore;
  api: AuthApi;
  crossTab: CrossTab;
  lockName: string;
  clock: () => number;
  retry: { baseMs: number; maxMs: number };
  /** After every attempt, successful or not: reschedule. */
  onSettled: () => void;
  onError: (error: unknown) => void;
}

export class Refresher {
  readonly #deps: RefresherDeps;
  #inflight: Promise<StoredSession> | undefined;
  #failures = 0;
  #retryAt = 0;
  #lastError: unknown;
  #lastFailedAt = Number.NEGATIVE_INFINITY;

  constructor(deps: RefresherDeps) {
    this.#deps = deps;
  }

  get busy(): boolean {
    return this.#inflight !== undefined;
  }

  /** Settles when no refresh is in flight. */
  idle(): Promise<unknown> {
    return this.#inflight?.catch(() => {}) ?? Promise.resolve();
  }

  /** When the next background attempt may start (local clock, ms); 0 unless backing off. */
  get retryAt(): number {
    return this.#retryAt;
  }

  /**
   * The access token for a call made now: as is before the refresh point;
   * as is, with a background refresh, between it and expiry (so an outage
   * of the auth service costs nothing while the token lasts); refreshed
   * first once expired.
   */
  async accessToken(): Promise<string> {
    const { store, clock } = this.#deps;
    const session = store.current;
    if (session === undefined)
      throw new AuthpairClientError('not_signed_in', 'no session: log in first');
    const now = clock();
    if (now < session.refreshAt) return session.accessToken;
    if (now < session.expiresAt) {
      this.kick();
      return session.accessToken;
    }
    return (await this.#onDemand(session)).accessToken;
  }

  /** After a 401 with `stale`: the newer session if there is one, else one shared forced refresh. */
  async replacing(stale: string): Promise<StoredSession> {
    const { store } = this.#deps;
    const session = store.current;
    if (session === undefined) throw signedOut(store.lastSignOutReason);
    if (session.accessToken !== stale) return session;
    return this.#onDemand(session);
  }

  /** Starts a background refresh unless one runs or the backoff says wait. */
  kick(): void {
    const session = this.#deps.store.current;
    if (session === undefined || this.busy || this.#deps.clock() < this.#retryAt) return;
    this.#refresh(session).catch((error: unknown) => {
      // Expected failures are in the backoff state and the events; only bugs are reported.
      if (!isClientError(error)) this.#deps.onError(error);
    });
  }

  /** The network is back: the next attempt need not wait for the backoff. */
  resetBackoff(): void {
    this.#failures = 0;
    this.#retryAt = 0;
    this.#lastError = undefined;
  }

  #onDemand(session: StoredSession): Promise<StoredSession> {
    if (this.#inflight !== undefined) return this.#inflight;
    if (this.#lastError !== undefined && this.#deps.clock() - this.#lastFailedAt < MIN_GAP_MS)
      return Promise.reject(this.#lastError);
    return this.#refresh(session);
  }

  #refresh(from: StoredSession): Promise<StoredSession> {
    if (this.#inflight !== undefined) return this.#inflight;
    const attempt = this.#run(from)
      .then(
        (session) => {
          this.resetBackoff();
          return session;
        },
        (error: unknown) => {
          if (!(isClientError(error) && error.code === 'signed_out')) this.#failed(error);
          throw error;
        },
      )
      .finally(() => {
        this.#inflight = undefined;
        this.#deps.onSettled();
      });
    this.#inflight = attempt;
    return attempt;
  }

  /** Capped exponential backoff with jitter, so clients do not retry in step after an outage. */
  #failed(error: unknown): void {
    const { clock, retry } = this.#deps;
    this.#failures += 1;
    const backoff = Math.min(retry.maxMs, retry.baseMs * 2 ** (this.#failures - 1));
    const jittered = backoff / 2 + (Math.random() * backoff) / 2;
    const asked = isClientError(error) ? (error.retryAfterMs ?? 0) : 0;
    this.#retryAt = clock() + Math.min(MAX_RETRY_AFTER_MS, Math.max(jittered, asked));
    this.#lastError = error;
    this.#lastFailedAt = clock();
  }

  async #run(from: StoredSession): Promise<StoredSession> {
    const { store, crossTab, lockName, clock } = this.#deps;
    const epoch = store.epoch;
    let holds = 0;
    const critical = () => {
      store.hold();
      holds += 1;
      return this.#critical(from, epoch);
    };
    try {
      try {
        return await withLock(crossTab, lockName, critical);
      } catch (error) {
        if (!isClientError(error) || error.code !== 'lock_timeout') throw error;
        const latest = await store.latest();
        if (latest !== undefined && latest.accessToken !== from.accessToken) return latest;
        // Past the token's whole lifetime the holder is stuck (a frozen tab): take the lock from it.
        if (clock() < from.expiresAt) throw error;
        return await withLock(crossTab, lockName, critical, true);
      }
    } finally {
      for (; holds > 0; holds -= 1) store.release();
    }
  }

  async #critical(from: StoredSession, epoch: number): Promise<StoredSession> {
    const { store, api, crossTab, clock } = this.#deps;
    // The previous holder posted its session before releasing the lock: let it land first.
    if (crossTab.locks !== null) await new Promise((resolve) => timer(() => resolve(0), 0));
    const latest = await store.latest();
    if (latest === undefined) throw signedOut(store.lastSignOutReason);
    if (store.epoch !== epoch || latest.accessToken !== from.accessToken) return latest;
    const sentAt = clock();
    let tokens: Awaited<ReturnType<AuthApi['refresh']>>;
    try {
      tokens = await api.refresh(from.refreshToken, store.epochSignal);
    } catch (error) {
      if (store.epoch !== epoch) return this.#afterEpochChange();
      if (isClientError(error) && error.code === 'invalid_grant') {
        const reason = signOutReasonOf(error.problem?.reason);
        await store.clear(reason);
        throw new AuthpairClientError('signed_out', `signed out (${reason})`, {
          reason,
          cause: error,
        });
      }
      throw error;
    }
    if (store.epoch !== epoch) return this.#afterEpochChange();
    const next = sessionFrom(tokens, sentAt, store.nextVersion(), from.refreshToken);
    await store.save(next);
    return next;
  }

  /** The session was ended or replaced while the refresh ran: its result is void. */
  #afterEpochChange(): StoredSession {
    const { store } = this.#deps;
    if (store.current === undefined) throw signedOut(store.lastSignOutReason);
    return store.current;
  }
}
