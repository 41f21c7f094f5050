/**
 * One refresh at a time per session, whoever asks. Every tab of a browser
 * sends the same cookie, so two tabs (or a tab and a reload) asking at
 * once present the same refresh token; the auth service rotates on first
 * use and treats a second use as theft (RFC 9700 §4.14.2), which would end
 * the session the user is in. This backend therefore never presents a
 * token twice itself:
 *
 * - **In flight:** a request presenting the token a refresh is already
 *   exchanging joins that exchange and gets its result.
 * - **Just spent:** for `REFRESH_SHARE_WINDOW_MS` after a rotation, a
 *   request still presenting the replaced token (it left the browser
 *   before the new cookie arrived, or its page reloaded and lost the
 *   answer) gets the newest result of that session, and the newest
 *   cookie, instead of a second exchange.
 *
 * A session has one live refresh token, so one flight per token is one
 * flight per session; the tokens it spent within the window point to the
 * same session record. None of this depends on the auth service's grace
 * window (`REFRESH_REUSE_GRACE_SECONDS`): it holds at 0. The state is this
 * process's memory: several replicas need sticky sessions for it to hold
 * across them (docs/web.md).
 */
import { createHash } from 'node:crypto';
import type { TokenResponse } from '@authpair/contracts';
import type { UpstreamAnswer } from './upstream';

/** A successful exchange: auth's token response, with the refresh token it must carry. */
export interface Grant {
  readonly tokens: TokenResponse & { readonly refresh_token: string };
  /** Local clock, ms, when auth's answer arrived: what the token's remaining life counts from. */
  readonly receivedAt: number;
}

/** What auth answered to one exchange. */
export type Exchange =
  | { readonly kind: 'granted'; readonly grant: Grant }
  /** Any other answer, relayed as is; `ended` when it says the token is dead (`invalid_grant`). */
  | { readonly kind: 'refused'; readonly answer: UpstreamAnswer; readonly ended: boolean };

/** What one refresh request gets, and how: `exchanged` is the only one that reached auth. */
export type RefreshOutcome = Exchange & { readonly via: 'exchanged' | 'joined' | 'shared' };

/** A session's rotations within the window. */
interface SessionRecord {
  latest: Grant;
  latestKey: string;
  /** Local clock, ms: past this, its spent tokens are not answered from here any more. */
  until: number;
  /** Logged out, or refused by auth: its spent tokens get nothing from here. */
  ended: boolean;
}

export interface RefreshFlightsOptions {
  windowMs: number;
  clock?: () => number;
  /** Most tokens remembered at once (spent and live); the oldest go first. */
  maxEntries?: number;
}

const SWEEP_INTERVAL_MS = 1000;

export class RefreshFlights {
  readonly #windowMs: number;
  readonly #clock: () => number;
  readonly #maxEntries: number;
  readonly #inflight = new Map<string, Promise<Exchange>>();
  /** Token digest -> its session's record, for the live token and those spent within the window. */
  readonly #sessions = new Map<string, SessionRecord>();
  #sweptAt = 0;

  constructor({ windowMs, clock = Date.now, maxEntries = 100_000 }: RefreshFlightsOptions) {
    this.#windowMs = windowMs;
    this.#clock = clock;
    this.#maxEntries = maxEntries;
  }

  /**
   * The result of refreshing `token`: `exchange` (which presents it to
   * auth) runs only when no exchange of this session can answer instead.
   */
  async refresh(token: string, exchange: () => Promise<Exchange>): Promise<RefreshOutcome> {
    const key = digest(token);
    const joined = this.#inflight.get(key);
    if (joined !== undefined) return { ...(await joined), via: 'joined' };
    const session = this.#live(key);
    if (session !== undefined && session.latestKey !== key) {
      // A token this session already spent: the newest result, never a second exchange.
      const newer = this.#inflight.get(session.latestKey);
      if (newer !== undefined) return { ...(await newer), via: 'joined' };
      return { kind: 'granted', grant: session.latest, via: 'shared' };
    }
    return { ...(await this.#start(key, exchange)), via: 'exchanged' };
  }

  /** The session of `token` ended here (logout, a new login): its spent tokens get nothing more. */
  end(token: string): void {
    const session = this.#sessions.get(digest(token));
    if (session !== undefined) session.ended = true;
  }

  /** Tokens remembered now (for tests and the metrics). */
  get size(): number {
    return this.#sessions.size;
  }

  #start(key: string, exchange: () => Promise<Exchange>): Promise<Exchange> {
    const flight = exchange().then((result) => {
      this.#settle(key, result);
      return result;
    });
    this.#inflight.set(key, flight);
    // Removed once settled, also on a failure (a network error is not remembered: the next request tries again).
    const forget = () => this.#inflight.delete(key);
    flight.then(forget, forget);
    return flight;
  }

  /** Records a rotation (or the end of the session) before any waiter sees the result. */
  #settle(key: string, exchange: Exchange): void {
    const session = this.#live(key);
    if (exchange.kind === 'refused') {
      if (exchange.ended && session !== undefined) session.ended = true;
      return;
    }
    if (this.#windowMs === 0) return;
    const now = this.#clock();
    const nextKey = digest(exchange.grant.tokens.refresh_token);
    const record: SessionRecord = session ?? {
      latest: exchange.grant,
      latestKey: nextKey,
      until: 0,
      ended: false,
    };
    record.latest = exchange.grant;
    record.latestKey = nextKey;
    record.until = now + this.#windowMs;
    this.#remember(key, record, now);
    this.#remember(nextKey, record, now);
  }

  #live(key: string): SessionRecord | undefined {
    const session = this.#sessions.get(key);
    if (session === undefined || session.ended || session.until <= this.#clock()) return undefined;
    return session;
  }

  #remember(key: string, record: SessionRecord, now: number): void {
    // Re-inserted, so the Map's order stays oldest first.
    this.#sessions.delete(key);
    this.#sessions.set(key, record);
    if (now - this.#sweptAt >= SWEEP_INTERVAL_MS) {
      this.#sweptAt = now;
      for (const [stale, session] of this.#sessions)
        if (session.until <= now || session.ended) this.#sessions.delete(stale);
    }
    for (const oldest of this.#sessions.keys()) {
      if (this.#sessions.size <= this.#maxEntries) break;
      this.#sessions.delete(oldest);
    }
  }
}

/** Tokens are kept as digests: the map never holds a usable token as a key. */
function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** A grant's token response for a request answered `elapsedMs` after auth issued it. */
export function remainingTokens(grant: Grant, now: number): TokenResponse {
  const elapsed = Math.floor(Math.max(0, now - grant.receivedAt) / 1000);
  const { refresh_token: _kept, ...tokens } = grant.tokens;
  return { ...tokens, expires_in: Math.max(1, tokens.expires_in - elapsed) };
}
